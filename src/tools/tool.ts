import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidArgumentError, ToolParameterError } from '../errors.js';
import { canonicalJson } from '../internal/canonical-json.js';
import type { StreamId, MetaDataPair } from '../streams/stream-id.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import type { Batch } from '../streams/batch.js';
import { batchToInstances, isBatch } from '../streams/batch.js';
import type { StreamView } from '../channels/stream-view.js';
import type { TimeInterval } from '../time/time-interval.js';
import type { ToolFunction } from './functions.js';
import type { FunctionResolver } from './functions.js';
import { activeFunctions, defaultFunctions, withFunctions } from './function-scope.js';

/** The five tool contracts (HyperStream's base classes). */
export const ToolKind = {
  /** Source windows (+ optional alignment) over an interval → instances of one sink. */
  Tool: 'tool',
  /** One source (+ optional splitting stream) → instances tagged with a value of a new output plate. */
  MultiOutput: 'multi-output',
  /** The streams of one plate dimension → one sink on the parent plate. */
  Aggregate: 'aggregate',
  /** A subset of source streams → the matching sinks. */
  Selector: 'selector',
  /** Data → new plate values (meta-data). */
  PlateCreation: 'plate-creation',
} as const;
export type ToolKind = (typeof ToolKind)[keyof typeof ToolKind];

/** What every execute context carries. */
export interface BaseToolContext<P> {
  /** The parsed, validated parameters. */
  readonly params: P;
  /** The piece of time to compute: `(start, end]`. Output must lie inside it. */
  readonly interval: TimeInterval;
  /** Set when the run is being stopped; long tools should check it between batches. */
  readonly signal: AbortSignal;
}

/** A source stream seen by a tool: its id and a window over the tool's source interval. */
export interface SourceWindow<T = unknown> {
  readonly id: StreamId;
  readonly view: StreamView<T>;
}

/** Context of a plain {@link ToolKind.Tool}. */
export interface PlainToolContext<P> extends BaseToolContext<P> {
  /** One window per source node, over `sourceInterval(interval)`. */
  readonly sources: readonly SourceWindow[];
  /** The alignment stream over `interval`, when the factor has one. */
  readonly alignment: SourceWindow | undefined;
  /** The sink being computed (for messages). */
  readonly sink: StreamId;
  /**
   * A window of source `index` over any interval, computed upstream first when needed (pull).
   * For tools whose lookback depends on data (e.g. windows read from another stream); fixed
   * lookbacks belong in `sourceInterval` instead.
   */
  sourceWindow(index: number, interval: TimeInterval): Promise<StreamView>;
}

/** An instance tagged with the output plate value it belongs to (multi-output tools). */
export interface TaggedInstance<T = unknown> extends StreamInstance<T> {
  /** The value of the output plate's meta-data key, e.g. `'Auckland'` for `city`. */
  readonly plateValue: string;
}

/** A column batch for one output plate value (multi-output tools). */
export interface TaggedBatch extends Batch {
  /** The value of the output plate's meta-data key every row of the batch goes to. */
  readonly plateValue: string;
}

/** Context of a {@link ToolKind.MultiOutput} tool. */
export interface MultiOutputToolContext<P> extends BaseToolContext<P> {
  readonly source: SourceWindow | undefined;
  /**
   * The splitting stream, when the factor has one, over `(MIN_DATE, interval.end]`: splitters use
   * its latest document at or before the end (a mapping, a list of plate values, intervals).
   */
  readonly splitting: SourceWindow | undefined;
  /** The meta-data key of the output plate, e.g. `city`. */
  readonly outputMetaKey: string;
  /** The output plate's values that apply to this source (the runner rejects others). */
  readonly outputPlateValues: readonly string[];
}

/** One source of an aggregate: the meta-data that distinguish it and its window. */
export interface AggregateSource<T = unknown> extends SourceWindow<T> {
  /** The value of the aggregated meta-data key for this source (e.g. the resident). */
  readonly plateValue: string;
}

/** Context of an {@link ToolKind.Aggregate} tool. */
export interface AggregateToolContext<P> extends BaseToolContext<P> {
  /** The streams being aggregated (one per value of `aggregationMetaKey`). */
  readonly sources: readonly AggregateSource[];
  readonly alignment: SourceWindow | undefined;
  /** The meta-data key aggregated away, e.g. `resident`. */
  readonly aggregationMetaKey: string;
  readonly sink: StreamId;
}

/** An instance copied from one selected source. */
export interface SelectedInstance<T = unknown> extends StreamInstance<T> {
  /** Which source (an index into `ctx.sources`) it comes from. */
  readonly sourceIndex: number;
}

/** A column batch copied from one selected source. */
export interface SelectedBatch extends Batch {
  /** Which source (an index into `ctx.sources`) every row comes from. */
  readonly sourceIndex: number;
}

/** Context of a {@link ToolKind.Selector} tool. */
export interface SelectorToolContext<P> extends BaseToolContext<P> {
  readonly sources: readonly SourceWindow[];
  /** The meta-data key being selected on. */
  readonly selectorMetaKey: string;
}

/** A new plate value to add to the meta-data tree. */
export interface NewPlateValue {
  /** The new value of the output meta-data key, e.g. an airport code. */
  readonly value: string;
  /** A display label; defaults to the value. */
  readonly label?: string;
}

/** Context of a {@link ToolKind.PlateCreation} tool. */
export interface PlateCreationToolContext<P> extends BaseToolContext<P> {
  readonly source: SourceWindow | undefined;
  /** The meta-data key the new values get, e.g. `airport`. */
  readonly outputMetaKey: string;
  /** The plate value (ancestor pairs) under which the new values are added. */
  readonly parent: readonly MetaDataPair[];
}

/** Per kind: what `execute` receives and what it yields (one output, or a column batch of them). */
export interface ToolKindContracts<P> {
  tool: { context: PlainToolContext<P>; output: StreamInstance; batch: Batch };
  'multi-output': {
    context: MultiOutputToolContext<P>;
    output: TaggedInstance;
    batch: TaggedBatch;
  };
  aggregate: { context: AggregateToolContext<P>; output: StreamInstance; batch: Batch };
  selector: { context: SelectorToolContext<P>; output: SelectedInstance; batch: SelectedBatch };
  'plate-creation': { context: PlateCreationToolContext<P>; output: NewPlateValue; batch: never };
}

export type ToolContext<K extends ToolKind, P> = ToolKindContracts<P>[K]['context'];
export type ToolOutput<K extends ToolKind> = ToolKindContracts<unknown>[K]['output'];
/** The column batch a kind may yield (`never` for plate creation). */
export type ToolBatch<K extends ToolKind> = ToolKindContracts<unknown>[K]['batch'];
/**
 * What `execute` may yield: one output, an array of outputs in order, or a column batch (the
 * fastest: checked once per batch, written without an object per instance).
 */
export type ToolYield<K extends ToolKind> = ToolOutput<K> | readonly ToolOutput<K>[] | ToolBatch<K>;

/** Outputs per yielded batch: amortises the per-yield cost while keeping little in memory. */
export const OUTPUT_BATCH_SIZE = 4096;

/** True when `execute` yielded a batch rather than one output (outputs are never arrays). */
export function isOutputBatch<K extends ToolKind>(
  item: ToolYield<K>,
): item is readonly ToolOutput<K>[] {
  return Array.isArray(item);
}

/** True when `execute` yielded a column batch. */
export function isColumnOutput<K extends ToolKind>(item: ToolYield<K>): item is ToolBatch<K> {
  return isBatch(item);
}

/** The instances of a yielded column batch, tagged as the batch is (plate value, source index). */
export function columnOutputInstances<K extends ToolKind>(batch: ToolBatch<K>): ToolOutput<K>[] {
  const instances = batchToInstances(batch) as ToolOutput<K>[];
  const { plateValue, sourceIndex } = batch as Partial<TaggedBatch & SelectedBatch>;
  if (plateValue === undefined && sourceIndex === undefined) return instances;
  return instances.map((item) => ({
    ...item,
    ...(plateValue !== undefined ? { plateValue } : {}),
    ...(sourceIndex !== undefined ? { sourceIndex } : {}),
  }));
}

/** The outputs of `execute` one by one, whether it yields single outputs, arrays or column batches. */
export async function* flattenOutputs<K extends ToolKind>(
  yields: AsyncIterable<ToolYield<K>>,
): AsyncIterable<ToolOutput<K>> {
  for await (const item of yields) {
    if (isOutputBatch(item)) yield* item;
    else if (isColumnOutput(item)) yield* columnOutputInstances<K>(item);
    else yield item;
  }
}

type ParamsSchema = z.ZodObject;

/** What a tool author writes. */
export interface ToolSpec<K extends ToolKind, S extends ParamsSchema> {
  readonly name: string;
  /** Semantic version, e.g. `1.0.0`. */
  readonly version: string;
  readonly kind: K;
  /** One line for `tools list` and README. */
  readonly description?: string;
  /** A strict zod object (unknown keys are errors); use `.describe()` on each field. */
  readonly params: S;
  /**
   * The source window needed to compute `interval` (default: `interval` itself), e.g.
   * `(start − 1 h, end]` for a one-hour sliding window. The runner computes upstream pieces for
   * this window before calling `execute`.
   */
  readonly sourceInterval?: (interval: TimeInterval, params: z.output<S>) => TimeInterval;
  /**
   * Computes `context.interval`. Yields outputs one at a time, in arrays (in order), or as column
   * batches (`Batch`, tagged with `plateValue` or `sourceIndex` for multi-output and selector
   * tools); all may be mixed. Each yield costs a promise round trip, so a tool emitting many
   * instances should yield arrays of about {@link OUTPUT_BATCH_SIZE} or column batches. The runner
   * validates every instance either way (a column batch once per batch), and keeps yielded objects
   * until they are written: do not change them after yielding them.
   */
  readonly execute: (context: ToolContext<K, z.output<S>>) => AsyncIterable<ToolYield<K>>;
}

const TOOL_DEFINITION = Symbol.for('hyperstream.tool-definition');
const TOOL_INSTANCE = Symbol.for('hyperstream.tool-instance');
const PATH_PARAM = Symbol.for('hyperstream.path-param');

/** A defined tool: create instances of it with parameters. */
export interface ToolDefinition<
  K extends ToolKind = ToolKind,
  S extends ParamsSchema = ParamsSchema,
> {
  readonly [TOOL_DEFINITION]: true;
  readonly name: string;
  readonly version: string;
  readonly kind: K;
  readonly description: string;
  readonly params: S;
  /**
   * Validates `params` once and returns a ready instance; `ToolParameterError` when they are wrong.
   * Function parameters given by name (`{ fn: 'mean' }`) resolve through `options.functions` (an
   * engine's registry; by default the built-ins).
   */
  create(params?: z.input<S>, options?: CreateToolOptions): ToolInstance<K, z.output<S>>;
  /** Name, version, kind, description and the JSON Schema of the parameters. */
  describe(): ToolDescription;
  readonly spec: ToolSpec<K, S>;
}

/** Options of {@link ToolDefinition.create}. */
export interface CreateToolOptions {
  /** Where `{ fn: name }` parameters are resolved (and functions named when stored). */
  readonly functions?: FunctionResolver | undefined;
  /** The folder relative {@link pathParam} parameters are resolved against. */
  readonly baseDir?: string | undefined;
}

/** A tool with parsed parameters: what factors hold. */
export interface ToolInstance<K extends ToolKind = ToolKind, P = unknown> {
  readonly [TOOL_INSTANCE]: true;
  readonly definition: ToolDefinition<K>;
  readonly name: string;
  readonly version: string;
  readonly kind: K;
  readonly params: Readonly<P>;
  /** `name@version` plus the canonical JSON of the parameters. */
  readonly identity: string;
  /** The canonical JSON of the parsed parameters (functions as `{ "fn": name }`). */
  readonly paramsJson: string;
  /**
   * {@link ToolInstance.paramsJson} without the parameters equal to their defaults: what the
   * fingerprint of a factor hashes, so a minor version that adds a parameter with a default keeps
   * the results computed before it.
   */
  readonly paramsJsonWithoutDefaults: string;
  /** True when every parameter can be stored (functions only by registered name). */
  readonly serialisable: boolean;
  sourceInterval(interval: TimeInterval): TimeInterval;
  execute(context: ToolContext<K, P>): AsyncIterable<ToolYield<K>>;
  /** `{ name, version, params }` with functions as `{ fn: name }`; throws if not serialisable. */
  toJSON(): ToolReference;
}

/** How a definition stores a tool: never code. */
export interface ToolReference {
  readonly name: string;
  readonly version: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ToolDescription {
  readonly name: string;
  readonly version: string;
  readonly kind: ToolKind;
  readonly description: string;
  readonly parameters: unknown;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * Defines a tool. Parameters are a strict zod object, parsed once per instance.
 *
 * @example
 * export default defineTool({
 *   name: 'scale', version: '1.0.0', kind: 'tool',
 *   params: z.strictObject({ factor: z.number().describe('multiplier') }),
 *   async *execute({ sources, params }) {
 *     for await (const { timestamp, value } of sources[0]!.view) yield { timestamp, value: (value as number) * params.factor };
 *   },
 * });
 */
export function defineTool<K extends ToolKind, S extends ParamsSchema>(
  spec: ToolSpec<K, S>,
): ToolDefinition<K, S> {
  if (typeof spec.name !== 'string' || !/^[A-Za-z_][\w-]*$/.test(spec.name)) {
    throw new InvalidArgumentError(
      `invalid tool name ${JSON.stringify(spec.name)}: use letters, digits, "_" and "-", starting with a letter or "_"`,
    );
  }
  if (typeof spec.version !== 'string' || !SEMVER.test(spec.version)) {
    throw new InvalidArgumentError(
      `invalid version ${JSON.stringify(spec.version)} for tool "${spec.name}": expected semver such as 1.0.0`,
    );
  }
  if (!Object.values(ToolKind).includes(spec.kind)) {
    throw new InvalidArgumentError(
      `invalid kind ${JSON.stringify(spec.kind)} for tool "${spec.name}": expected one of ${Object.values(ToolKind).join(', ')}`,
    );
  }
  if (!isZodObject(spec.params)) {
    throw new InvalidArgumentError(
      `tool "${spec.name}": params must be a zod object (z.strictObject({...}))`,
    );
  }
  checkDefaults(spec.name, spec.version, spec.params);
  const definition: ToolDefinition<K, S> = {
    [TOOL_DEFINITION]: true,
    name: spec.name,
    version: spec.version,
    kind: spec.kind,
    description: spec.description ?? '',
    params: spec.params,
    spec,
    create: (input, options) => createInstance(definition, input, options ?? {}),
    describe: () => ({
      name: spec.name,
      version: spec.version,
      kind: spec.kind,
      description: spec.description ?? '',
      parameters: z.toJSONSchema(spec.params, { unrepresentable: 'any', io: 'input' }),
    }),
  };
  return Object.freeze(definition);
}

function createInstance<K extends ToolKind, S extends ParamsSchema>(
  definition: ToolDefinition<K, S>,
  input: unknown,
  options: CreateToolOptions,
): ToolInstance<K, z.output<S>> {
  const functions = options.functions ?? defaultFunctions();
  const { baseDir } = options;
  const result = withFunctions(functions, () =>
    definition.params.safeParse(
      baseDir === undefined ? (input ?? {}) : resolvePathParams(definition.params, input, baseDir),
    ),
  );
  if (!result.success) {
    const where = result.error.issues
      .map(
        (issue) => `${issue.path.length ? issue.path.join('.') : '(parameters)'}: ${issue.message}`,
      )
      .join('; ');
    throw new ToolParameterError(
      `invalid parameters for tool "${definition.name}" ${definition.version}: ${where}`,
      { tool: definition.name, version: definition.version, issues: result.error.issues },
    );
  }
  const params = Object.freeze(result.data) as z.output<S>;
  let serialisable = true;
  const replacer = (value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    const name = functions.nameOf(value as ToolFunction);
    if (name !== undefined) return { fn: name };
    serialisable = false;
    return { fn: `<unregistered ${anonymousId(value as ToolFunction)}>` };
  };
  const paramsJson = canonicalJson(params, replacer);
  const defaults = defaultsOf(definition.params);
  const essential = JSON.parse(paramsJson) as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) {
    const named = (v: unknown): unknown =>
      typeof v === 'function' ? { fn: functions.nameOf(v as ToolFunction) ?? null } : v;
    if (key in essential && canonicalJson(essential[key]) === canonicalJson(value, named))
      delete essential[key];
  }
  const paramsJsonWithoutDefaults = canonicalJson(essential);
  const spec = definition.spec;
  const instance: ToolInstance<K, z.output<S>> = {
    [TOOL_INSTANCE]: true,
    definition,
    name: definition.name,
    version: definition.version,
    kind: definition.kind,
    params,
    identity: `${definition.name}@${definition.version}${paramsJson}`,
    paramsJson,
    paramsJsonWithoutDefaults,
    serialisable,
    sourceInterval: (interval) =>
      spec.sourceInterval ? spec.sourceInterval(interval, params) : interval,
    execute: (context) => spec.execute(context),
    toJSON: () => {
      if (!serialisable) {
        throw new ToolParameterError(
          `tool "${definition.name}" has a function parameter that is not registered, so it cannot be saved: ` +
            `register it with engine.functions.register(name, fn) (or Engine.create({ functions })) and pass { fn: name } or the registered function`,
          { tool: definition.name },
        );
      }
      return {
        name: definition.name,
        version: definition.version,
        params: JSON.parse(paramsJson) as Record<string, unknown>,
      };
    },
  };
  return Object.freeze(instance);
}

/**
 * A file path parameter (a string, or the given string schema). A relative path is resolved
 * against the base folder of the tools it was looked up with (see {@link withBaseDir}; the CLI
 * uses the config file's folder), so a config means the same file whatever the working
 * directory; without one it stays relative to the working directory.
 *
 * @example
 * params: z.strictObject({ path: pathParam('the CSV file') })
 */
export function pathParam(description: string): z.ZodString;
export function pathParam<S extends z.ZodType<string>>(description: string, schema: S): S;
export function pathParam(description: string, schema?: z.ZodType<string>): z.ZodType<string> {
  const marked = (schema ?? z.string().min(1)).describe(description);
  // Marked last: zod methods return copies, which would not carry the mark.
  Object.defineProperty(marked, PATH_PARAM, { value: true });
  return marked;
}

/**
 * The definition with relative {@link pathParam} parameters resolved against `baseDir` when
 * instances are created (the stored parameters, and so the tool's identity, hold the absolute
 * path). The brand and everything else are the definition's own.
 */
export function withBaseDir<K extends ToolKind, S extends ParamsSchema>(
  definition: ToolDefinition<K, S>,
  baseDir: string,
): ToolDefinition<K, S> {
  // Instances point back to the bound definition, so a tool made again from one keeps the folder.
  const bound: ToolDefinition<K, S> = Object.freeze({
    ...definition,
    create: (input?: z.input<S>, options?: CreateToolOptions) =>
      createInstance(bound, input, { baseDir, ...options }),
  });
  return bound;
}

function isPathParam(schema: unknown): boolean {
  let current = schema as { _zod?: { def?: ZodDef } } | undefined;
  for (let depth = 0; current && depth < 8; depth++) {
    if ((current as Record<symbol, unknown>)[PATH_PARAM] === true) return true;
    const def = current._zod?.def;
    if (!def || !['optional', 'nullable', 'default', 'readonly', 'prefault'].includes(def.type!))
      return false;
    current = def.innerType;
  }
  return false;
}

function resolvePathParams(params: ParamsSchema, input: unknown, baseDir: string): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input ?? {};
  let out: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(params.shape)) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '' || isAbsolute(value) || !isPathParam(field))
      continue;
    out ??= { ...(input as Record<string, unknown>) };
    out[key] = resolve(baseDir, value);
  }
  return out ?? input;
}

let anonymousCounter = 0;
const anonymousIds = new WeakMap<ToolFunction, number>();
function anonymousId(fn: ToolFunction): number {
  let id = anonymousIds.get(fn);
  if (id === undefined) {
    id = ++anonymousCounter;
    anonymousIds.set(fn, id);
  }
  return id;
}

interface ZodDef {
  readonly type?: string;
  readonly innerType?: {
    readonly _zod?: { readonly def?: ZodDef };
    safeParse?: ParamsSchema['safeParse'];
  };
  readonly defaultValue?: unknown;
}

/** The default of each parameter that has one (`.default(…)`, also under optional/nullable). */
function defaultsOf(params: ParamsSchema): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(params.shape)) {
    const def = defaultDef(field);
    if (def) defaults[key] = def.defaultValue;
  }
  return defaults;
}

function defaultDef(field: unknown): ZodDef | undefined {
  let def = (field as { _zod?: { def?: ZodDef } })._zod?.def;
  while (def && (def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly')) {
    def = def.innerType?._zod?.def;
  }
  return def?.type === 'default' ? def : undefined;
}

/**
 * zod 4 returns a `.default()` value without parsing it, so a default that breaks its own schema
 * (`z.number().min(1).default(0)`) would reach `execute`: refuse it when the tool is defined.
 */
function checkDefaults(name: string, version: string, params: ParamsSchema): void {
  for (const [key, field] of Object.entries(params.shape)) {
    const def = defaultDef(field);
    if (!def?.innerType?.safeParse) continue;
    const result = def.innerType.safeParse(def.defaultValue);
    if (!result.success) {
      throw new ToolParameterError(
        `tool "${name}" ${version}: the default of parameter "${key}" (${JSON.stringify(def.defaultValue)}) ` +
          `fails its own schema: ${result.error.issues.map((issue) => issue.message).join('; ')}; fix the default`,
        { tool: name, version, parameter: key, issues: result.error.issues },
      );
    }
  }
}

// Structural, not `instanceof`: a plugin's tool file may bring its own copy of zod.
function isZodObject(value: unknown): value is ParamsSchema {
  if (typeof value !== 'object' || value === null) return false;
  const internals = (value as { _zod?: { def?: { type?: unknown } } })._zod;
  return (
    internals?.def?.type === 'object' && typeof (value as ParamsSchema).safeParse === 'function'
  );
}

/** True for a tool definition, even one from another copy of this package (brand, not `instanceof`). */
export function isToolDefinition(value: unknown): value is ToolDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[TOOL_DEFINITION] === true &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}

/** True for a tool instance (created with parameters), even from another copy of this package. */
export function isToolInstance(value: unknown): value is ToolInstance {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[TOOL_INSTANCE] === true &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}

/**
 * A parameter holding a function: in code, the function itself; in stored definitions,
 * `{ fn: 'name' }` resolved through the function registry (never code).
 */
export function functionParam<F extends ToolFunction = ToolFunction>(
  description = 'a function, or { fn: name } of a registered one',
) {
  return z
    .union([
      z.custom<F>((value) => typeof value === 'function', { message: 'expected a function' }),
      z.strictObject({ fn: z.string().min(1) }),
    ])
    .transform((value, ctx): F => {
      if (typeof value === 'function') return value;
      const functions = activeFunctions();
      if (!functions.has(value.fn)) {
        ctx.addIssue({
          code: 'custom',
          message: `function "${value.fn}" is not registered (engine.functions.register("${value.fn}", fn)); registered: ${functions.names().join(', ') || '(none)'}`,
        });
        return z.NEVER;
      }
      return functions.get(value.fn) as F;
    })
    .describe(description);
}
