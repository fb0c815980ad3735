// A time scale and axis ticks for the coverage map.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const STEPS = [
  1,
  10,
  100,
  SECOND,
  5 * SECOND,
  15 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  182 * DAY,
  365 * DAY,
  2 * 365 * DAY,
  5 * 365 * DAY,
  10 * 365 * DAY,
  25 * 365 * DAY,
  50 * 365 * DAY,
  100 * 365 * DAY,
  1000 * 365 * DAY,
];

/** A linear map from a time window onto pixels. */
export interface TimeScale {
  readonly start: number;
  readonly end: number;
  readonly x0: number;
  readonly x1: number;
}

export function toX(scale: TimeScale, t: number): number {
  return scale.x0 + ((t - scale.start) / (scale.end - scale.start)) * (scale.x1 - scale.x0);
}

export function toTime(scale: TimeScale, x: number): number {
  return scale.start + ((x - scale.x0) / (scale.x1 - scale.x0)) * (scale.end - scale.start);
}

/** Tick times and labels: at most `max` ticks, at round steps (days from midnight UTC). */
export function ticks(start: number, end: number, max = 8): { t: number; label: string }[] {
  const span = end - start;
  const step = STEPS.find((s) => span / s <= max) ?? STEPS[STEPS.length - 1]!;
  const out: { t: number; label: string }[] = [];
  const first = Math.ceil(start / step) * step;
  for (let t = first; t <= end && out.length <= max + 1; t += step) {
    out.push({ t, label: tickLabel(t, step) });
  }
  return out;
}

function tickLabel(t: number, step: number): string {
  const iso = new Date(t).toISOString();
  if (step >= 365 * DAY) return iso.slice(0, 4);
  if (step >= 30 * DAY) return iso.slice(0, 7);
  if (step >= DAY) return iso.slice(0, 10);
  if (step >= MINUTE) return iso.slice(0, 16).replace('T', ' ');
  if (step >= SECOND) return iso.slice(11, 19);
  return iso.slice(11, 23);
}
