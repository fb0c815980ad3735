import { ChannelAlreadyExistsError, ChannelNotFoundError } from '../errors.js';
import type { Channel, ExternalWrite, WriteListener } from './channel.js';

/** Holds the engine's channels by id. */
export class ChannelManager implements Iterable<Channel> {
  readonly #channels = new Map<string, Channel>();
  readonly #unwatch = new Map<string, () => void>();
  readonly #writeListeners = new Set<WriteListener>();

  constructor(channels: Iterable<Channel> = []) {
    for (const channel of channels) this.add(channel);
  }

  /** Registers a channel; `ChannelAlreadyExistsError` when the id is taken. */
  add<C extends Channel>(channel: C): C {
    if (this.#channels.has(channel.id)) throw new ChannelAlreadyExistsError(channel.id);
    this.#channels.set(channel.id, channel);
    this.#unwatch.set(
      channel.id,
      channel.watchWrites(async (write) => await this.#written(write)),
    );
    return channel;
  }

  /** The channel with that id; `ChannelNotFoundError` (listing the known ids) otherwise. */
  get(id: string): Channel {
    const channel = this.#channels.get(id);
    if (!channel) throw new ChannelNotFoundError(id, [...this.#channels.keys()]);
    return channel;
  }

  has(id: string): boolean {
    return this.#channels.has(id);
  }

  /** Unregisters a channel (without closing it); true when it was there. */
  remove(id: string): boolean {
    this.#unwatch.get(id)?.();
    this.#unwatch.delete(id);
    return this.#channels.delete(id);
  }

  /** Calls `listener` before each write made outside a piece into any channel; returns what stops it. */
  onWrite(listener: WriteListener): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  async #written(write: ExternalWrite): Promise<void> {
    for (const listener of this.#writeListeners) await listener(write);
  }

  list(): Channel[] {
    return [...this.#channels.values()];
  }

  [Symbol.iterator](): Iterator<Channel> {
    return this.#channels.values();
  }

  /** Closes every channel. */
  async close(): Promise<void> {
    await Promise.all(this.list().map((channel) => channel.close()));
  }
}
