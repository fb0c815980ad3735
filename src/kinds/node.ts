import type { Plate, PlateValue } from '../plates/plate.js';
import { combinePlateValues, formatPlateValue } from '../plates/plate.js';
import { StreamId } from '../streams/stream-id.js';

/** A node as a definition stores it. */
export interface NodeDefinition {
  readonly id: string;
  readonly channel: string;
  readonly plates: readonly string[];
}

/**
 * A set of streams with one name in one channel: one stream per plate value of its plates (any
 * number of plates; nested ones collapse, unrelated ones multiply). The node id is the stream name.
 */
export class Node {
  readonly id: string;
  readonly channelId: string;
  readonly plates: readonly Plate[];
  /** Every meta-data key its streams carry. */
  readonly keys: ReadonlySet<string>;
  /** The workflow that owns it (builder checks use it to refuse nodes of another workflow). */
  readonly workflowId: string;

  constructor(workflowId: string, id: string, channelId: string, plates: readonly Plate[]) {
    this.workflowId = workflowId;
    this.id = id;
    this.channelId = channelId;
    this.plates = Object.freeze([...plates]);
    this.keys = new Set(plates.flatMap((plate) => plate.keys));
  }

  /** The current plate values (recomputed from the meta-data tree). */
  plateValues(): PlateValue[] {
    return combinePlateValues(this.plates);
  }

  /** The stream of one plate value. */
  streamId(plateValue: PlateValue): StreamId {
    return StreamId.of(this.id, plateValue);
  }

  /** `temp_data[C]`, for messages. */
  describe(): string {
    return `"${this.id}"${this.plates.length ? ` on plates [${this.plates.map((p) => p.id).join(', ')}]` : ' (no plates)'}`;
  }

  toDefinition(): NodeDefinition {
    return { id: this.id, channel: this.channelId, plates: this.plates.map((plate) => plate.id) };
  }

  toString(): string {
    return `Node(${this.id}, channel=${this.channelId}, ${this.plateValues().map(formatPlateValue).join(' | ')})`;
  }
}
