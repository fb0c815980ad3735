import { createHash } from 'node:crypto';
import type { PlateValue } from '../plates/plate.js';
import { plateValueKey } from '../plates/plate.js';
import type { MetaDataPair } from '../streams/stream-id.js';
import type { TimeIntervalJSON } from '../time/time-interval.js';

/** A stream one piece reads. */
export interface PieceInput {
  /** What the factor reads it as. */
  readonly role: 'source' | 'alignment' | 'splitting';
  /** Position among the inputs of that role. */
  readonly index: number;
  /** The workflow node. */
  readonly node: string;
  readonly channel: string;
  /** The stream's key (`StreamId.key`). */
  readonly stream: string;
  /** The node's plate value for this stream. */
  readonly plateValue: readonly MetaDataPair[];
  /** The value of the aggregated or selected meta-data key (aggregates, selectors). */
  readonly keyValue?: string;
  /** The window the tool reads (declared lookbacks included). */
  readonly window: TimeIntervalJSON;
  /** What must be calculated before the piece runs, when not the window itself. */
  readonly needs?: TimeIntervalJSON;
}

/** A stream a piece writes, whose calculated intervals record the piece once it is written. */
export interface PieceSink {
  readonly channel: string;
  /** The stream's key (`StreamId.key`). */
  readonly stream: string;
  /** The value of the output plate's key (multi-output factors). */
  readonly keyValue?: string;
}

/**
 * One piece of work: a factor of a workflow, run for one plate value over one interval. Plain
 * JSON — `JSON.parse(JSON.stringify(piece))` is a piece that runs the same way — so any executor
 * (this process, a worker elsewhere) can run it.
 */
export interface WorkPiece {
  /** Unique for (workflow, factor, plate value, interval). */
  readonly id: string;
  readonly workflow: string;
  readonly factor: string;
  /** The factor's kind. */
  readonly kind: string;
  /** The tool identity the piece was planned for: a changed workflow does not run a stale piece. */
  readonly tool: {
    readonly name: string;
    readonly version: string;
    /** The canonical JSON of the parsed parameters. */
    readonly params: string;
  };
  /** The factor's fingerprint: what the piece's sinks record it computed (see `fingerprintOf`). */
  readonly fingerprint: string;
  /** The unit's plate value (the sink's; the input's for multi-output; the parent's for plate creation). */
  readonly plateValue: readonly MetaDataPair[];
  readonly interval: TimeIntervalJSON;
  readonly inputs: readonly PieceInput[];
  readonly sinks: readonly PieceSink[];
  /** Ids of the pieces whose output this piece reads: they run first. */
  readonly dependsOn: readonly string[];
}

/** A string naming the (workflow, factor, plate value) a piece belongs to. */
export function unitKey(workflow: string, factor: string, plateValue: PlateValue): string {
  return `${workflow}\u0000${factor}\u0000${plateValueKey(plateValue)}`;
}

/** The id of the piece of a unit over an interval: short, stable, safe in any queue's job ids. */
export function pieceId(unit: string, interval: TimeIntervalJSON): string {
  return createHash('sha256')
    .update(`${unit}\u0000${interval.start}\u0000${interval.end}`)
    .digest('base64url')
    .slice(0, 22);
}
