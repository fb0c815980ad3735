import type { Factor } from '../kinds/index.js';
import { kindOf } from '../kinds/index.js';
import type { PlannedInput, PlannedSink } from '../kinds/kind.js';
import type { PlateIndex } from '../kinds/plate-index.js';
import type { PieceInput, WorkPiece } from '../kinds/work-piece.js';
import { pieceId, unitKey } from '../kinds/work-piece.js';
import type { PlateValue } from '../plates/plate.js';
import type { CalculatedRanges } from '../storage/calculated-ranges.js';
import type { StreamId } from '../streams/stream-id.js';
import type { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';
import type { WorkflowGraph } from '../workflow/graph.js';
import { fingerprintOf } from './fingerprint.js';

/** What is calculated of each stream, as far as the planner knows (`undefined`: not loaded). */
export interface CalculatedSnapshot {
  get(channel: string, id: StreamId): CalculatedRanges | undefined;
}

/** Ranges of a sink that a factor with another fingerprint computed, inside what is needed. */
export interface FingerprintMismatch {
  readonly channel: string;
  readonly stream: StreamId;
  readonly intervals: TimeIntervals;
  /** The fingerprint(s) recorded over them. */
  readonly found: readonly string[];
  /** The fingerprint of the factor asking now. */
  readonly expected: string;
}

/** Ranges recorded without a fingerprint that the asking factor trusts and takes as its own. */
export interface Adoption {
  readonly channel: string;
  readonly stream: StreamId;
  readonly intervals: TimeIntervals;
  readonly fingerprint: string;
}

/** Something to compute: intervals of a factor, for some or all of its units. */
export interface PlanTarget {
  readonly factor: Factor;
  /** Only these units (plate values); all of the factor's when omitted. */
  readonly units?: readonly PlateValue[];
  readonly intervals: TimeIntervals;
}

/** What the planner plans from. */
export interface PlanRequest {
  readonly graph: WorkflowGraph;
  readonly targets: readonly PlanTarget[];
  readonly calculated: CalculatedSnapshot;
  readonly plates: PlateIndex;
  /** Longest interval of one piece (ms), unless a factor sets its own. */
  readonly maxPieceSize?: number;
}

/** The pieces that compute what is missing. */
export interface Plan {
  /** In an order that respects `dependsOn` (topological, then plate value, then time). */
  readonly pieces: readonly WorkPiece[];
  /**
   * Factors left out because they wait for plate-creation pieces of this plan (their plate values
   * may change): plan them again once those pieces ran.
   */
  readonly deferred: readonly Factor[];
  /** Streams whose calculated intervals the snapshot lacks: load them and plan again. */
  readonly unknown: readonly PlannedSink[];
  /** Needed ranges computed by a factor with another fingerprint (recomputed by the pieces). */
  readonly mismatches: readonly FingerprintMismatch[];
  /** Needed ranges without a fingerprint, trusted (not recomputed): stamp them as the factor's. */
  readonly adoptions: readonly Adoption[];
}

interface Unit {
  readonly factor: Factor;
  readonly value: PlateValue;
  readonly key: string;
  needs: TimeIntervals;
  /** Planned pieces, in time order (disjoint). */
  readonly pieces: PlannedPiece[];
}

interface PlannedPiece {
  readonly unit: Unit;
  readonly interval: TimeInterval;
  readonly id: string;
  readonly inputs: readonly PlannedInput[];
  readonly sinks: readonly PlannedSink[];
}

/**
 * Plans the work pieces that compute exactly what is missing: for every unit (a factor and a plate
 * value) what it is asked for (`targets`) plus what its consumers' pieces read from it (declared
 * lookbacks included), minus what its sink streams have calculated, cut by the maximum piece size.
 * Pure: no I/O, the same request gives the same plan.
 *
 * Units are visited downstream first, so a unit's needs are complete before it is planned; each
 * piece depends on the pieces of its inputs' producers that overlap what it reads. Factors that
 * wait for plate-creation pieces of the plan are returned as `deferred` (their plate values are
 * not known yet).
 */
export function plan(request: PlanRequest): Plan {
  const { graph, plates, calculated } = request;
  const units = new Map<Factor, Map<string, Unit>>();
  const need = (factor: Factor, value: PlateValue, intervals: TimeIntervals): void => {
    let byKey = units.get(factor);
    if (!byKey) units.set(factor, (byKey = new Map<string, Unit>()));
    const key = unitKey(graph.id, factor.id, value);
    const unit = byKey.get(key);
    if (unit) unit.needs = unit.needs.union(intervals);
    else byKey.set(key, { factor, value, key, needs: intervals, pieces: [] });
  };
  for (const target of request.targets) {
    const values = target.units ?? kindOf(target.factor).units(target.factor, plates);
    for (const value of values) need(target.factor, value, target.intervals);
  }

  const unknown: PlannedSink[] = [];
  const mismatches = new Map<string, FingerprintMismatch>();
  const adoptions = new Map<string, Adoption>();
  // A range counts as calculated for a unit only when its factor computed it (same fingerprint),
  // or nobody is recorded (ranges from before fingerprints: trusted and adopted), and no late
  // write invalidated it.
  const missingOf = (unit: Unit): TimeIntervals | undefined => {
    let missing = TimeIntervals.EMPTY;
    let known = true;
    const fingerprint = fingerprintOf(graph, unit.factor);
    for (const sink of sinksOf(unit.factor, unit.value, plates)) {
      const ranges = calculated.get(sink.channel, sink.id);
      if (ranges === undefined) {
        unknown.push(sink);
        known = false;
        continue;
      }
      if (!known) continue;
      const done = ranges.matching(fingerprint);
      if (!done.covers(unit.needs)) missing = missing.union(unit.needs.difference(done));
      const key = `${sink.channel}\u0000${sink.id.key}`;
      const other = ranges.mismatched(fingerprint);
      const clash = other.length
        ? TimeIntervals.fromSorted(other).intersection(unit.needs)
        : TimeIntervals.EMPTY;
      if (!clash.isEmpty) {
        const found = [...new Set(other.map((r) => r.fingerprint!))];
        mismatches.set(key, {
          channel: sink.channel,
          stream: sink.id,
          intervals: clash,
          found,
          expected: fingerprint,
        });
      }
      const adopted = ranges.unstamped.intersection(unit.needs);
      if (!adopted.isEmpty) {
        adoptions.set(key, {
          channel: sink.channel,
          stream: sink.id,
          intervals: adopted,
          fingerprint,
        });
      }
    }
    return known ? missing : undefined;
  };

  // Plate creators are asked only by targets (nobody reads their bookkeeping streams), so whether
  // they have work is known before anything downstream is planned.
  const pendingCreators = new Set<Factor>();
  for (const factor of graph.order) {
    if (!kindOf(factor).createdPlate(factor)) continue;
    for (const unit of units.get(factor)?.values() ?? []) {
      const missing = missingOf(unit);
      if (missing === undefined || !missing.isEmpty) pendingCreators.add(factor);
    }
  }
  const deferred = new Set<Factor>();
  if (pendingCreators.size) {
    for (const factor of graph.factors) {
      if (pendingCreators.has(factor)) continue;
      for (const upstream of graph.upstreamOf(graph.dependenciesOf(factor))) {
        if (pendingCreators.has(upstream)) deferred.add(factor);
      }
    }
  }

  for (const factor of [...graph.order].reverse()) {
    if (deferred.has(factor)) continue;
    const kind = kindOf(factor);
    const size = factor.maxPieceSize ?? request.maxPieceSize;
    for (const unit of units.get(factor)?.values() ?? []) {
      const missing = missingOf(unit);
      if (missing === undefined || missing.isEmpty) continue;
      const sinks = sinksOf(factor, unit.value, plates);
      for (const interval of size === undefined ? missing.toArray() : missing.split(size)) {
        const inputs = kind.inputsOf(factor, unit.value, interval, plates);
        unit.pieces.push({
          unit,
          interval,
          id: pieceId(unit.key, interval.toJSON()),
          inputs,
          sinks,
        });
        for (const input of inputs) {
          const producer = graph.producerOf(input.node);
          // An input value outside the node's plates is reported when the piece runs.
          if (!producer || !plates.has(input.node, input.value)) continue;
          need(
            producer,
            kindOf(producer).unitOf(producer, input.value),
            TimeIntervals.of(input.needs ?? input.window),
          );
        }
      }
    }
  }

  const pieces: WorkPiece[] = [];
  for (const factor of graph.order) {
    for (const unit of units.get(factor)?.values() ?? []) {
      for (const piece of unit.pieces) pieces.push(toWorkPiece(piece, graph, units, plates));
    }
  }
  return {
    pieces,
    deferred: [...deferred],
    unknown,
    mismatches: [...mismatches.values()],
    adoptions: [...adoptions.values()],
  };
}

/** The sink streams of a unit (cached until the meta-data tree changes). */
export function sinksOf(
  factor: Factor,
  unit: PlateValue,
  plates: PlateIndex,
): readonly PlannedSink[] {
  return plates.memo(factor, unit, () => kindOf(factor).sinks(factor, unit, plates));
}

function toWorkPiece(
  piece: PlannedPiece,
  graph: WorkflowGraph,
  units: ReadonlyMap<Factor, ReadonlyMap<string, Unit>>,
  plates: PlateIndex,
): WorkPiece {
  const { factor, value } = piece.unit;
  const dependsOn = new Set<string>();
  const inputs = piece.inputs.map((input): PieceInput => {
    const producer = graph.producerOf(input.node);
    if (producer) {
      const unit = units
        .get(producer)
        ?.get(unitKey(graph.id, producer.id, kindOf(producer).unitOf(producer, input.value)));
      for (const upstream of overlapping(unit?.pieces ?? [], input.needs ?? input.window))
        dependsOn.add(upstream.id);
    }
    return {
      role: input.role,
      index: input.index,
      node: input.node.id,
      channel: input.node.channelId,
      stream: plates.streamId(input.node, input.value).key,
      plateValue: pairs(input.value),
      ...(input.keyValue !== undefined ? { keyValue: input.keyValue } : {}),
      window: input.window.toJSON(),
      ...(input.needs !== undefined ? { needs: input.needs.toJSON() } : {}),
    };
  });
  return {
    id: piece.id,
    workflow: graph.id,
    factor: factor.id,
    kind: factor.kind,
    tool: { name: factor.tool.name, version: factor.tool.version, params: factor.tool.paramsJson },
    fingerprint: fingerprintOf(graph, factor),
    plateValue: pairs(value),
    interval: piece.interval.toJSON(),
    inputs,
    sinks: piece.sinks.map((sink) => ({
      channel: sink.channel,
      stream: sink.id.key,
      ...(sink.keyValue !== undefined ? { keyValue: sink.keyValue } : {}),
    })),
    dependsOn: [...dependsOn],
  };
}

/** The pieces (sorted, disjoint) that overlap `window`, found by binary search. */
function overlapping(pieces: readonly PlannedPiece[], window: TimeInterval): PlannedPiece[] {
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pieces[mid]!.interval.end <= window.start) lo = mid + 1;
    else hi = mid;
  }
  const out: PlannedPiece[] = [];
  for (let i = lo; i < pieces.length && pieces[i]!.interval.start < window.end; i++) {
    out.push(pieces[i]!);
  }
  return out;
}

function pairs(value: PlateValue): [string, string][] {
  return value.map(([k, v]) => [k, v]);
}
