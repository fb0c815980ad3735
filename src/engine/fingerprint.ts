import { createHash } from 'node:crypto';
import { canonicalJson } from '../internal/canonical-json.js';
import { majorVersion } from '../internal/versions.js';
import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { WorkflowGraph } from '../workflow/graph.js';

/** What a factor's fingerprint is made of, readable (what `stream provenance` shows). */
export interface FactorProvenance {
  readonly fingerprint: string;
  readonly workflow: string;
  readonly factor: string;
  readonly kind: string;
  readonly tool: { readonly name: string; readonly version: string; readonly params: unknown };
  /** The nodes it reads, with the fingerprint of their producer (null: nothing computes it). */
  readonly sources: readonly {
    readonly node: string;
    readonly channel: string;
    readonly plates: readonly string[];
    readonly fingerprint: string | null;
  }[];
}

const MEMO = new WeakMap<WorkflowGraph, Map<Factor, FactorProvenance>>();

/**
 * The fingerprint of a factor: a short hash of its kind, tool name, tool MAJOR version, canonical
 * parameters (those equal to their defaults left out), its definition (which nodes it reads and writes, plates) and, for every node it
 * reads, the channel, plates and the fingerprint of the factor producing it, so a change anywhere
 * upstream changes it. A minor or patch version of a tool promises the same output and keeps it.
 * Pure; graphs are immutable, so it is computed once per graph and factor.
 */
export function fingerprintOf(graph: WorkflowGraph, factor: Factor): string {
  return provenanceOf(graph, factor).fingerprint;
}

/** The fingerprint of a factor and what it is made of. */
export function provenanceOf(graph: WorkflowGraph, factor: Factor): FactorProvenance {
  let memo = MEMO.get(graph);
  if (!memo) MEMO.set(graph, (memo = new Map<Factor, FactorProvenance>()));
  const known = memo.get(factor);
  if (known) return known;
  const kind = kindOf(factor);
  const { tool } = factor;
  const params = JSON.parse(tool.paramsJson) as unknown;
  const hashedParams = JSON.parse(tool.paramsJsonWithoutDefaults) as unknown;
  const sources = kind.inputs(factor).map((node) => {
    const producer = graph.producerOf(node);
    return {
      node: node.id,
      channel: node.channelId,
      plates: node.plates.map((plate) => plate.id),
      fingerprint: producer && producer !== factor ? fingerprintOf(graph, producer) : null,
    };
  });
  // What the definition says beyond the tool: nodes read and written, plates, keys.
  const shape: Record<string, unknown> = {
    ...(kind.encode(factor, { name: tool.name, version: tool.version, params: {} }) as object),
  };
  for (const key of ['id', 'tool', 'maxPieceSize']) delete shape[key];
  const sink = kind.sink(factor);
  const hashed = canonicalJson({
    kind: factor.kind,
    tool: tool.name,
    major: majorVersion(tool.version),
    params: hashedParams,
    shape,
    sink: sink ? { channel: sink.channelId, plates: sink.plates.map((p) => p.id) } : null,
    sources,
  });
  const provenance: FactorProvenance = {
    fingerprint: createHash('sha256').update(hashed).digest('hex').slice(0, 16),
    workflow: graph.id,
    factor: factor.id,
    kind: factor.kind,
    tool: { name: tool.name, version: tool.version, params },
    sources,
  };
  memo.set(factor, provenance);
  return provenance;
}
