import { Stream } from '../channels/stream.js';
import type { StreamAccess } from '../channels/stream-access.js';
import { InvalidArgumentError } from '../errors.js';
import type { Plate, PlateValue, PlateValueInput, PlateValueObject } from '../plates/plate.js';
import {
  combinePlateValues,
  formatPlateValue,
  plateValueKey,
  plateValueObject,
  toPlateValue,
} from '../plates/plate.js';
import { StreamId } from '../streams/stream-id.js';

/** Finds a channel by id (the engine's channel manager). */
export interface ChannelLookup {
  get(id: string): StreamAccess;
}

/** One stream of a node: its plate value as a plain object, and the stream. */
export interface NodeStream<T = unknown> {
  readonly plateValue: PlateValueObject;
  readonly stream: Stream<T>;
}

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
  readonly #channels: ChannelLookup | undefined;

  /** `channels` is where {@link Node.stream} finds the node's channel (a workflow passes the engine's). */
  constructor(
    workflowId: string,
    id: string,
    channelId: string,
    plates: readonly Plate[],
    channels?: ChannelLookup,
  ) {
    this.workflowId = workflowId;
    this.#channels = channels;
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

  /**
   * The stream of one plate value, as a plain object (`{ country: 'NZ' }`) or pairs; none for a
   * node without plates. Reading it reads what is stored: `workflow.results` computes first.
   * `InvalidArgumentError` for a value that is not one of the node's plate values.
   */
  stream<T = unknown>(plateValue?: PlateValueInput): Stream<T> {
    return new Stream<T>(this.#channel(), this.streamId(this.#plateValueOf(plateValue)));
  }

  /** One stream per current plate value, each with its plate value as a plain object. */
  streams<T = unknown>(): NodeStream<T>[] {
    const channel = this.#channel();
    return this.plateValues().map((value) => ({
      plateValue: plateValueObject(value),
      stream: new Stream<T>(channel, this.streamId(value)),
    }));
  }

  /** The node's own plate value equal to `input` (pair order does not matter). */
  #plateValueOf(input: PlateValueInput | undefined): PlateValue {
    const values = this.plateValues();
    const examples = (): string =>
      values
        .slice(0, 5)
        .map((value) => JSON.stringify(plateValueObject(value)))
        .join(', ') + (values.length > 5 ? `, … (${String(values.length)} in all)` : '');
    if (input === undefined) {
      if (this.plates.length === 0) return [];
      throw new InvalidArgumentError(
        `node ${this.describe()} has one stream per plate value: pass one, e.g. ${examples() || '(it has none yet)'}`,
        { node: this.id },
      );
    }
    const wanted = toPlateValue(input);
    const key = plateValueKey(wanted);
    const found = values.find((value) => plateValueKey(value) === key);
    if (found) return found;
    throw new InvalidArgumentError(
      `node ${this.describe()} has no stream for plate value ${JSON.stringify(plateValueObject(wanted))}: ` +
        (values.length ? `its plate values are ${examples()}` : 'it has no plate values yet'),
      { node: this.id },
    );
  }

  #channel(): StreamAccess {
    if (!this.#channels) {
      throw new InvalidArgumentError(
        `node "${this.id}" was built outside a workflow: declare it with workflow.node() to read its streams`,
        { node: this.id },
      );
    }
    return this.#channels.get(this.channelId);
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
