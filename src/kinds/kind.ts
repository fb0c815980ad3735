import { z } from 'zod';
import type { StreamView } from '../channels/stream-view.js';
import type { Plate, PlateValue } from '../plates/plate.js';
import { projectPlateValue } from '../plates/plate.js';
import type { StreamId } from '../streams/stream-id.js';
import type { DurationLike } from '../time/duration.js';
import type { TimeInterval } from '../time/time-interval.js';
import type {
  SourceWindow,
  ToolInstance,
  ToolReference,
  ToolKind,
  ToolOutput,
  ToolYield,
} from '../tools/tool.js';
import type { Node } from './node.js';
import type { PlateIndex } from './plate-index.js';
import type { PieceInput, WorkPiece } from './work-piece.js';

/**
 * A tool instance of any kind, as shared code sees it: a `ToolInstance<'tool'>` is not a
 * `ToolInstance` (its `execute` takes a narrower context), so this picks what is kind-independent.
 */
export type AnyToolInstance = Pick<
  ToolInstance,
  | 'name'
  | 'version'
  | 'kind'
  | 'params'
  | 'identity'
  | 'paramsJson'
  | 'paramsJsonWithoutDefaults'
  | 'serialisable'
  | 'sourceInterval'
  | 'toJSON'
>;

/** What every factor has, whatever its kind. */
export interface FactorBase<K extends ToolKind = ToolKind> {
  /** The kind's name (the kind of tool it runs). */
  readonly kind: K;
  /** Unique within the workflow; defaults to `<tool name>-><sink>` (or `->plate:<id>`). */
  readonly id: string;
  readonly tool: AnyToolInstance;
  /** Longest piece of time one tool call computes (ms); required intervals are split by it. */
  readonly maxPieceSize: number | undefined;
}

/** How a builder method names the nodes of a factor: a node or its id. */
export type NodeRef = Node | string;

/** Options every factor takes. */
export interface FactorOptions {
  /** Unique id within the workflow; default `<tool>-><sink>`. */
  readonly id?: string;
  /** Longest interval one tool call computes, e.g. `'P1D'`. */
  readonly maxPieceSize?: DurationLike;
}

/** What the workflow builder gives a kind while it builds a factor. */
export interface BuildContext {
  readonly workflowId: string;
  /** The workflow's node for a reference; `WorkflowDefinitionError` naming `role` otherwise. */
  node(ref: NodeRef, role: string): Node;
  /** A factor id: `given`, or the default when none is given; unique in the workflow. */
  factorId(given: string | undefined, fallback: string): string;
  /** The parsed `maxPieceSize` option. */
  maxPieceSize(spec: { readonly maxPieceSize?: DurationLike }): number | undefined;
  /** A channel id checked to exist; the default channel when none is given. */
  channel(id: string | undefined): string;
  /** The plate with that id (`PlateNotFoundError` otherwise). */
  plate(id: string): Plate;
  /** Creates a declared plate, or checks that the existing one matches (the engine applies it). */
  declarePlate(declaration: PlateDeclaration): Promise<Plate>;
  /** The id of the workflow's factor that creates plate `plateId`, if any. */
  creatorOf(plateId: string): string | undefined;
}

/** A plate a workflow declares: created when missing, and checked to match when it exists. */
export interface PlateDeclaration {
  readonly id: string;
  readonly metaKey: string;
  readonly parentPlate?: string;
  readonly description?: string;
}

/** A stream a piece will read, as the planner sees it. */
export interface PlannedInput {
  readonly role: PieceInput['role'];
  /** Position among the inputs of that role (source 0, 1 …). */
  readonly index: number;
  readonly node: Node;
  /** The node's plate value for this input. */
  readonly value: PlateValue;
  /** The value of the aggregated or selected meta-data key (aggregates, selectors). */
  readonly keyValue?: string;
  /** The window the tool reads. */
  readonly window: TimeInterval;
  /** What must be calculated before it runs, when not the window itself. */
  readonly needs?: TimeInterval;
}

/** A stream whose calculated intervals record what a unit has computed. */
export interface PlannedSink {
  readonly channel: string;
  readonly id: StreamId;
  /** The value of the output plate's key (multi-output factors). */
  readonly keyValue?: string;
}

/** How a tool's outputs go to sinks: one sink for all, or a function choosing (and checking) each. */
export type OutputRoute<K extends ToolKind> = StreamId | ((output: ToolOutput<K>) => StreamId);

/**
 * What a kind may do while it runs a piece: open the piece's inputs, pull more upstream, run its
 * tool in the piece's slot and under its timeout, and write outputs through the sink writer
 * (batches flattened, outputs validated, data written before the piece is recorded).
 */
export interface PieceIO {
  /** The piece's interval. */
  readonly interval: TimeInterval;
  /** The stream id of one of the piece's streams (`piece.inputs[i].stream`, `piece.sinks[i].stream`). */
  stream(key: string): StreamId;
  /** A window over one of the piece's inputs. */
  input(input: PieceInput): SourceWindow;
  /**
   * The undeclared pull (`ctx.sourceWindow`): computes what is missing of `input`'s stream over
   * `interval` through the planner and executor, then returns its window.
   */
  pull(input: PieceInput, interval: TimeInterval): Promise<StreamView>;
  /**
   * Runs the tool and writes what it yields to `sinks` of `channel`, routing each output; resolves
   * to the number of documents once every write has resolved. `label` names the sink in messages.
   */
  write<K extends ToolKind>(options: {
    readonly tool: ToolInstance<K>;
    readonly label: string;
    readonly channel: string;
    readonly sinks: readonly StreamId[];
    readonly route: OutputRoute<K>;
    readonly execute: (signal: AbortSignal) => AsyncIterable<ToolYield<K>>;
  }): Promise<number>;
  /** Runs the tool (no sink: plate creation), with the same slot, timeout and error rules. */
  run<T>(
    tool: AnyToolInstance,
    label: string,
    body: (signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  /** Adds `key=value` under `parent` to the meta-data tree unless it exists; true when added. */
  addPlateValue(parent: PlateValue, key: string, value: string, label?: string): Promise<boolean>;
}

/**
 * One kind of factor (plain, multi-output, aggregate, selector, plate creation): everything the
 * builder, the definition codec, the planner and the piece executor need to know about it. Shared
 * code asks the kind of a factor (`kindOf(factor)`) and never branches on its name.
 */
export interface FactorKind<F extends FactorBase = FactorBase, S = unknown, D = unknown> {
  readonly name: F['kind'];
  /** The workflow builder method that adds this kind (named in messages). */
  readonly builderMethod: string;
  /** Zod schema of the factor's entry in a workflow definition (strict, `kind` literal). */
  readonly definitionSchema: z.ZodType<D>;

  /** Applies what the spec declares beyond the graph (a plate to create) before `create`. */
  prepare?(spec: S, build: BuildContext): Promise<S>;
  /** Builds a factor from a builder spec: resolves its nodes and checks their plates. */
  create(spec: S, build: BuildContext): F;
  /** The factor's definition entry: plain JSON, tools by name, version and parameters. */
  encode(factor: F, tool: ToolReference): D;
  /** The builder spec of a validated definition entry, with its tool instance. */
  decode(definition: D, tool: ToolInstance<F['kind']>): S;

  /** Every node the factor reads (sources, alignment, splitting). */
  inputs(factor: F): readonly Node[];
  /** The node the factor writes, if any. */
  sink(factor: F): Node | undefined;
  /** Plates the factor iterates or reads beyond its nodes' (a created plate's parent). */
  extraPlates(factor: F): readonly Plate[];
  /** The plate whose values the factor creates, if it creates one. */
  createdPlate(factor: F): Plate | undefined;
  /**
   * Streams the factor writes besides its sink node's (bookkeeping, one per unit), by name: purged
   * with the workflow's outputs. `label` names them in purge reports.
   */
  bookkeeping(
    factor: F,
  ): readonly { readonly channel: string; readonly name: string; readonly label: string }[];

  /** The plate values the factor runs for (one unit of work each). */
  units(factor: F, plates: PlateIndex): readonly PlateValue[];
  /** The unit that computes the sink stream of `value`. */
  unitOf(factor: F, value: PlateValue): PlateValue;
  /** The streams whose calculated intervals say what a unit has computed. */
  sinks(factor: F, unit: PlateValue, plates: PlateIndex): readonly PlannedSink[];
  /** The windows a piece of a unit reads (declared lookbacks included). */
  inputsOf(
    factor: F,
    unit: PlateValue,
    interval: TimeInterval,
    plates: PlateIndex,
  ): readonly PlannedInput[];
  /** Runs one piece: reads its inputs, runs the tool, writes through `io`; resolves to documents written. */
  run(piece: WorkPiece, factor: F, io: PieceIO): Promise<number>;
}

/** The sink stream of a factor that writes one node: the node's stream for the unit. */
export function nodeSink(node: Node, unit: PlateValue, plates: PlateIndex): PlannedSink[] {
  return [{ channel: node.channelId, id: plates.streamId(node, unit) }];
}

/** The input a node gives a piece of `unit`: its stream for the unit's value on its plates. */
export function nodeInput(
  role: PieceInput['role'],
  index: number,
  node: Node,
  unit: PlateValue,
  window: TimeInterval,
): PlannedInput {
  return { role, index, node, value: projectPlateValue(unit, node.keys), window };
}

/** The piece's first input of `role`, opened, if it has one. */
export function openInput(
  piece: WorkPiece,
  io: PieceIO,
  role: PieceInput['role'],
): SourceWindow | undefined {
  const input = piece.inputs.find((i) => i.role === role);
  return input ? io.input(input) : undefined;
}

/**
 * Runs a tool whose outputs all go to the piece's one sink stream (in the sink node's channel):
 * `execute` gets the signal and the sink's id. `check` vets each output before it is written.
 */
export async function writeToSink<K extends ToolKind>(
  piece: WorkPiece,
  io: PieceIO,
  tool: ToolInstance<K>,
  sinkNode: Node,
  execute: (signal: AbortSignal, sink: StreamId) => AsyncIterable<ToolYield<K>>,
  check?: (output: ToolOutput<K>, sink: StreamId) => void,
): Promise<number> {
  const sink = io.stream(piece.sinks[0]!.stream);
  return await io.write({
    tool,
    label: sink.toString(),
    channel: sinkNode.channelId,
    sinks: [sink],
    route: check
      ? (output) => {
          check(output, sink);
          return sink;
        }
      : sink,
    execute: (signal) => execute(signal, sink),
  });
}

/** Zod schema of a tool reference in a definition: never code. */
export const toolReferenceSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
});

/** The fields every factor's definition entry has. */
export const factorDefinitionFields = {
  id: z.string().min(1),
  tool: toolReferenceSchema,
  maxPieceSize: z.number().int().positive().optional(),
};

/** A node id in a definition. */
export const nodeIdSchema = z.string().min(1);

/** The definition fields every factor has, from the factor. */
export function commonDefinition(
  factor: FactorBase,
  tool: ToolReference,
): {
  id: string;
  tool: { name: string; version: string; params: Record<string, unknown> };
  maxPieceSize?: number;
} {
  return {
    id: factor.id,
    tool: { name: tool.name, version: tool.version, params: { ...tool.params } },
    ...(factor.maxPieceSize !== undefined ? { maxPieceSize: factor.maxPieceSize } : {}),
  };
}

/** The builder options every factor takes, from a definition entry. */
export function commonOptions(definition: {
  readonly id: string;
  readonly maxPieceSize?: number | undefined;
}): {
  id: string;
  maxPieceSize?: number;
} {
  return {
    id: definition.id,
    ...(definition.maxPieceSize !== undefined ? { maxPieceSize: definition.maxPieceSize } : {}),
  };
}
