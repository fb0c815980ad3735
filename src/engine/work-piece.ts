import type { PlateValue } from '../plates/plate.js';
import { plateValueKey } from '../plates/plate.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';
import type { TimeInterval } from '../time/time-interval.js';

/**
 * One piece of work: a factor, the plate value it runs for (the sink's; the input's for
 * multi-output factors; the parent's for plate creation) and an interval. Plain, serialisable
 * data, so a distributed runner (e.g. BullMQ) can ship pieces to workers unchanged.
 */
export interface WorkPiece {
  readonly workflow: string;
  readonly factor: string;
  readonly plateValue: readonly (readonly [string, string])[];
  readonly interval: TimeIntervalJSON;
}

/** Builds a work piece. */
export function workPiece(
  workflow: string,
  factor: string,
  plateValue: PlateValue,
  interval: TimeInterval,
): WorkPiece {
  return {
    workflow,
    factor,
    plateValue: plateValue.map(([k, v]) => [k, v] as const),
    interval: interval.toJSON(),
  };
}

/** A string naming the (workflow, factor, plate value) a piece belongs to: the unit runs are serialised on. */
export function unitKey(workflow: string, factor: string, plateValue: PlateValue): string {
  return `${workflow}\u0000${factor}\u0000${plateValueKey(plateValue)}`;
}
