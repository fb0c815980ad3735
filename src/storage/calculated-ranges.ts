import { z } from 'zod';
import { TimeInterval } from '../time/time-interval.js';
import { TimeIntervals } from '../time/time-intervals.js';

/** What a calculated range records about how it was computed. */
export interface CalculatedStamp {
  /**
   * The fingerprint of the factor that computed it (tool name, major version, parameters, kind,
   * sources and their fingerprints). Absent on ranges written before fingerprints existed, and on
   * ranges recorded by hand (`addCalculatedIntervals`).
   */
  readonly fingerprint?: string;
  /** The session that computed it. */
  readonly session?: string;
  /** A source changed under it (a late write): its data is stale until it is recomputed. */
  readonly invalidated?: true;
}

/** One calculated range: `(start, end]` with its stamp. */
export interface CalculatedRange extends CalculatedStamp {
  readonly start: number;
  readonly end: number;
}

/** The plain JSON of one range (what stores keep). */
export const calculatedRangeSchema = z.object({
  start: z.number(),
  end: z.number(),
  fingerprint: z.string().optional(),
  session: z.string().optional(),
  invalidated: z.literal(true).optional(),
});

/**
 * A stream's calculated ranges: sorted, disjoint, each with the stamp of what computed it
 * (adjacent ranges with equal stamps merged). Immutable; every change returns a new value. The
 * calculated intervals of a stream in the old sense are {@link CalculatedRanges.intervals}: the
 * ranges not invalidated, whatever computed them.
 */
export class CalculatedRanges {
  static readonly EMPTY = new CalculatedRanges([]);
  readonly ranges: readonly CalculatedRange[];

  /** Computed on first use (planning asks the same value many times). */
  #intervals: TimeIntervals | undefined;
  #uniform: string | null | undefined;

  private constructor(ranges: readonly CalculatedRange[]) {
    this.ranges = Object.freeze(ranges);
  }

  /**
   * The fingerprint every range carries when all are valid and stamped alike (the common case,
   * a stream computed by one factor), else null: the queries below then need no filtering.
   */
  #uniformFingerprint(): string | null {
    if (this.#uniform === undefined) {
      const first = this.ranges[0]?.fingerprint;
      this.#uniform =
        first !== undefined && this.ranges.every((r) => r.fingerprint === first && !r.invalidated)
          ? first
          : null;
    }
    return this.#uniform;
  }

  /** Ranges as stored (disjoint; an overlap is an `Error`). */
  static from(ranges: readonly CalculatedRange[]): CalculatedRanges {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.start < sorted[i - 1]!.end)
        throw new Error(`ranges overlap at ${sorted[i]!.start}`);
    }
    return CalculatedRanges.normalise(sorted);
  }

  /** `intervals` with one stamp. */
  static of(intervals: TimeIntervals, stamp: CalculatedStamp = {}): CalculatedRanges {
    return CalculatedRanges.EMPTY.add(intervals, stamp);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Every range that is not invalidated, whatever computed it. */
  get intervals(): TimeIntervals {
    return (this.#intervals ??= this.#where((r) => !r.invalidated));
  }

  /** Ranges invalidated by late writes into their sources. */
  get invalidated(): TimeIntervals {
    return this.#where((r) => r.invalidated === true);
  }

  /** Valid ranges a factor with `fingerprint` may use: its own and unstamped ones. */
  matching(fingerprint: string): TimeIntervals {
    const uniform = this.#uniformFingerprint();
    if (uniform !== null) return uniform === fingerprint ? this.intervals : TimeIntervals.EMPTY;
    return this.#where(
      (r) => !r.invalidated && (r.fingerprint === undefined || r.fingerprint === fingerprint),
    );
  }

  /** Valid ranges recorded without a fingerprint. */
  get unstamped(): TimeIntervals {
    if (this.#uniformFingerprint() !== null) return TimeIntervals.EMPTY;
    return this.#where((r) => !r.invalidated && r.fingerprint === undefined);
  }

  /** Valid ranges computed by a factor with another fingerprint. */
  mismatched(fingerprint: string): CalculatedRange[] {
    if (this.#uniformFingerprint() === fingerprint) return [];
    return this.ranges.filter(
      (r) => !r.invalidated && r.fingerprint !== undefined && r.fingerprint !== fingerprint,
    );
  }

  /** Records `intervals` with `stamp`, replacing whatever was recorded inside them. */
  add(intervals: TimeIntervals, stamp: CalculatedStamp = {}): CalculatedRanges {
    if (intervals.isEmpty) return this;
    const added = intervals.toArray().map((i) => ({ start: i.start, end: i.end, ...stamp }));
    return CalculatedRanges.normalise([...this.remove(intervals).ranges, ...added]);
  }

  /** Forgets whatever is recorded inside `intervals`. */
  remove(intervals: TimeIntervals): CalculatedRanges {
    return this.#restamp(intervals, () => undefined);
  }

  /** Marks what is recorded inside `intervals` as invalidated. */
  invalidate(intervals: TimeIntervals): CalculatedRanges {
    return this.#restamp(intervals, (stamp) => ({ ...stamp, invalidated: true }));
  }

  /** Stamps the valid unstamped ranges inside `intervals` with `stamp` (adopting them). */
  adopt(intervals: TimeIntervals, stamp: CalculatedStamp): CalculatedRanges {
    return this.#restamp(intervals, (old) =>
      old.fingerprint === undefined && !old.invalidated ? { ...stamp } : old,
    );
  }

  /** The ranges overlapping `interval`, cut to it. */
  within(interval: TimeInterval): CalculatedRanges {
    return this.#restamp(TimeIntervals.of(interval), (s) => s, true);
  }

  equals(other: CalculatedRanges): boolean {
    return (
      this.ranges.length === other.ranges.length &&
      this.ranges.every((r, i) => {
        const o = other.ranges[i]!;
        return r.start === o.start && r.end === o.end && sameStamp(r, o);
      })
    );
  }

  toJSON(): CalculatedRange[] {
    return this.ranges.map((r) => ({ ...r }));
  }

  #where(keep: (range: CalculatedRange) => boolean): TimeIntervals {
    // Ranges are kept sorted and disjoint.
    return TimeIntervals.fromSorted(this.ranges.filter(keep));
  }

  /**
   * Gives the parts of ranges inside `intervals` the stamp `change` returns (undefined: removed);
   * the parts outside keep theirs, or are dropped with `dropOutside`.
   */
  #restamp(
    intervals: TimeIntervals,
    change: (stamp: CalculatedStamp) => CalculatedStamp | undefined,
    dropOutside = false,
  ): CalculatedRanges {
    if (intervals.isEmpty && !dropOutside) return this;
    const out: CalculatedRange[] = [];
    for (const range of this.ranges) {
      const own = TimeIntervals.of(new TimeInterval(range.start, range.end));
      const stamp = stampOf(range);
      if (!dropOutside) {
        for (const part of own.difference(intervals).toArray())
          out.push({ start: part.start, end: part.end, ...stamp });
      }
      const next = change(stamp);
      if (next === undefined) continue;
      for (const part of own.intersection(intervals).toArray())
        out.push({ start: part.start, end: part.end, ...next });
    }
    return CalculatedRanges.normalise(out);
  }

  /**
   * Sorts disjoint ranges, drops empty ones and merges neighbours computed alike (same fingerprint,
   * both valid or both invalidated); a merged range keeps the session of its later part, so ranges
   * do not pile up run after run.
   */
  private static normalise(ranges: readonly CalculatedRange[]): CalculatedRanges {
    const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
    const out: CalculatedRange[] = [];
    for (const range of sorted) {
      const last = out[out.length - 1];
      if (last && last.end === range.start && computedAlike(last, range)) {
        out[out.length - 1] = {
          ...stampOf(last),
          ...stampOf(range),
          start: last.start,
          end: range.end,
        };
      } else {
        out.push({ start: range.start, end: range.end, ...stampOf(range) });
      }
    }
    return out.length ? new CalculatedRanges(out) : CalculatedRanges.EMPTY;
  }
}

function stampOf(range: CalculatedStamp): CalculatedStamp {
  return {
    ...(range.fingerprint !== undefined ? { fingerprint: range.fingerprint } : {}),
    ...(range.session !== undefined ? { session: range.session } : {}),
    ...(range.invalidated ? { invalidated: true as const } : {}),
  };
}

function computedAlike(a: CalculatedStamp, b: CalculatedStamp): boolean {
  return a.fingerprint === b.fingerprint && (a.invalidated ?? false) === (b.invalidated ?? false);
}

function sameStamp(a: CalculatedStamp, b: CalculatedStamp): boolean {
  return computedAlike(a, b) && a.session === b.session;
}
