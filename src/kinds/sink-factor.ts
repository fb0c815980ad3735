// What the kinds share whose factors read source nodes (and maybe an alignment node) and write
// one sink node, one unit per plate value of the sink: plain, aggregate and selector factors.

import type { BuildContext, FactorBase, FactorKind, NodeRef } from './kind.js';
import { nodeSink } from './kind.js';
import type { Node } from './node.js';

/** A factor that writes one sink node, read from sources and maybe an alignment node. */
export interface SinkFactor extends FactorBase {
  readonly sources: readonly Node[];
  readonly sink: Node;
  readonly alignment?: Node | undefined;
}

/** The nodes of a sink factor's builder spec, and its id (`<tool>-><sink>` by default). */
export function sinkFactorNodes(
  spec: {
    readonly id?: string;
    readonly tool: { readonly name: string };
    readonly sources?: readonly NodeRef[];
    readonly sink: NodeRef;
    readonly alignment?: NodeRef;
  },
  build: BuildContext,
): { id: string; sources: Node[]; sink: Node; alignment: Node | undefined } {
  const sink = build.node(spec.sink, 'sink');
  const sources = (spec.sources ?? []).map((s, i) => build.node(s, `sources[${i}]`));
  const alignment =
    spec.alignment === undefined ? undefined : build.node(spec.alignment, 'alignment');
  const id = build.factorId(spec.id, `${spec.tool.name}->${sink.id}`);
  return { id, sources, sink, alignment };
}

/** The node ids of a sink factor's definition entry. */
export function sinkFactorDefinition(factor: SinkFactor): {
  sources: string[];
  sink: string;
  alignment?: string;
} {
  return {
    sources: factor.sources.map((n) => n.id),
    sink: factor.sink.id,
    ...(factor.alignment ? { alignment: factor.alignment.id } : {}),
  };
}

/** The node ids of a sink factor's builder spec, from its definition entry. */
export function sinkFactorOptions(definition: {
  readonly sources: readonly string[];
  readonly sink: string;
  readonly alignment?: string | undefined;
}): { sources: readonly string[]; sink: string; alignment?: string } {
  return {
    sources: definition.sources,
    sink: definition.sink,
    ...(definition.alignment !== undefined ? { alignment: definition.alignment } : {}),
  };
}

/** The kind members of a sink factor: one unit per plate value of the sink, writing its stream. */
export function sinkFactorMembers<F extends SinkFactor>(): Pick<
  FactorKind<F>,
  'inputs' | 'sink' | 'extraPlates' | 'createdPlate' | 'bookkeeping' | 'units' | 'unitOf' | 'sinks'
> {
  return {
    inputs: (factor) => [...factor.sources, ...(factor.alignment ? [factor.alignment] : [])],
    sink: (factor) => factor.sink,
    extraPlates: () => [],
    createdPlate: () => undefined,
    bookkeeping: () => [],
    units: (factor, plates) => plates.values(factor.sink),
    unitOf: (_factor, value) => value,
    sinks: (factor, unit, plates) => nodeSink(factor.sink, unit, plates),
  };
}
