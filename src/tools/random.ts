import { z } from 'zod';
import { ToolExecutionError } from '../errors.js';
import type { StreamInstance } from '../streams/stream-instance.js';
import { throwIfAborted } from './structural-support.js';
import type { PlainToolContext } from './tool.js';

/**
 * Seeded randomness for the generator tools. Every value is a pure function of (seed, salt,
 * timestamp): a counter-based generator hashes them into a key and draws uniforms by hashing the
 * key with a counter. So a value does not depend on how an interval was split into pieces, on the
 * order of execution, or on any other tool — HyperStream seeded one global RNG per process.
 */

/** A seed: an integer or a string. */
export type Seed = number | string;

/** Draws the next uniform number in [0, 1) of one (seed, salt, timestamp) sequence. */
export type Draw = () => number;

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

/** murmur3's finaliser: a full-avalanche 32-bit mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3's body step: folds one 32-bit word into the hash state. */
function absorb(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/** Folds a number (any integer up to 2^53 in size, negative too) as two 32-bit words. */
function absorbNumber(h: number, value: number): number {
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  return absorb(absorb(h, lo), hi);
}

function absorbString(h: number, text: string): number {
  h = absorb(h, text.length);
  for (let i = 0; i < text.length; i++) h = absorb(h, text.charCodeAt(i));
  return h;
}

function absorbSeed(h: number, seed: Seed): number {
  // The type tag keeps the seed 1 and the seed "1" apart.
  return typeof seed === 'number'
    ? absorbNumber(absorb(h, 1), seed)
    : absorbString(absorb(h, 2), seed);
}

/**
 * The uniform draws of one (seed, salt, timestamp): the k-th call returns the k-th number of that
 * sequence, in [0, 1) with 53 random bits (as Python's `random()`).
 */
export function uniformDraws(seed: Seed, timestamp: number, salt = ''): Draw {
  const base = absorbNumber(absorbSeed(absorbString(0x9747b28c, salt), seed), timestamp);
  // Two lanes with different initial states make the key 64 bits wide.
  const keyA = fmix32(base);
  const keyB = fmix32(absorb(base, 0x5bd1e995));
  let counter = 0;
  return () => {
    const a = fmix32(absorb(absorb(keyA, counter), keyB)) >>> 5;
    const b = fmix32(absorb(absorb(keyB, counter), keyA)) >>> 6;
    counter++;
    return (a * 67108864 + b) / TWO_53;
  };
}

const TWO_PI = 2 * Math.PI;
const NV_MAGICCONST = (4 * Math.exp(-0.5)) / Math.SQRT2;
const LOG4 = Math.log(4);
const SG_MAGICCONST = 1 + Math.log(4.5);

// The distributions follow CPython's `random` module algorithms, fed by `draw`.

/** Uniform in [a, b) (or [b, a) when b < a). */
export function uniform(draw: Draw, a: number, b: number): number {
  return a + (b - a) * draw();
}

/** Normal distribution by the Box–Muller transform (Python's `gauss`, without its cached pair). */
export function gauss(draw: Draw, mu: number, sigma: number): number {
  const angle = draw() * TWO_PI;
  const radius = Math.sqrt(-2 * Math.log(1 - draw()));
  return mu + Math.cos(angle) * radius * sigma;
}

/** Normal distribution by Kinderman and Monahan's ratio method (Python's `normalvariate`). */
export function normalvariate(draw: Draw, mu: number, sigma: number): number {
  for (;;) {
    const u1 = draw();
    const u2 = 1 - draw();
    const z = (NV_MAGICCONST * (u1 - 0.5)) / u2;
    if ((z * z) / 4 <= -Math.log(u2)) return mu + z * sigma;
  }
}

/** Log-normal: `exp` of a normal with mean `mu` and standard deviation `sigma`. */
export function lognormvariate(draw: Draw, mu: number, sigma: number): number {
  return Math.exp(normalvariate(draw, mu, sigma));
}

/** Exponential with rate `lambd` (mean 1/lambd; negative rates give negative values, as Python). */
export function expovariate(draw: Draw, lambd: number): number {
  return -Math.log(1 - draw()) / lambd;
}

/** Gamma with shape `alpha` > 0 and scale `beta` > 0 (mean alpha·beta, variance alpha·beta²). */
export function gammavariate(draw: Draw, alpha: number, beta: number): number {
  if (alpha > 1) {
    // Cheng's rejection algorithm GB.
    const ainv = Math.sqrt(2 * alpha - 1);
    const bbb = alpha - LOG4;
    const ccc = alpha + ainv;
    for (;;) {
      const u1 = draw();
      if (!(u1 > 1e-7 && u1 < 0.9999999)) continue;
      const u2 = 1 - draw();
      const v = Math.log(u1 / (1 - u1)) / ainv;
      const x = alpha * Math.exp(v);
      const z = u1 * u1 * u2;
      const r = bbb + ccc * v - x;
      if (r + SG_MAGICCONST - 4.5 * z >= 0 || r >= Math.log(z)) return x * beta;
    }
  }
  if (alpha === 1) return -Math.log(1 - draw()) * beta;
  // Ahrens and Dieter's algorithm GS for alpha < 1.
  for (;;) {
    const b = (Math.E + alpha) / Math.E;
    const p = b * draw();
    const x = p <= 1 ? p ** (1 / alpha) : -Math.log((b - p) / alpha);
    const u1 = draw();
    if (p > 1 ? u1 <= x ** (alpha - 1) : u1 <= Math.exp(-x)) return x * beta;
  }
}

/** Beta with shape parameters alpha, beta > 0, in [0, 1]. */
export function betavariate(draw: Draw, alpha: number, beta: number): number {
  const y = gammavariate(draw, alpha, 1);
  return y === 0 ? 0 : y / (y + gammavariate(draw, beta, 1));
}

/** Pareto with shape `alpha` > 0 (values ≥ 1). */
export function paretovariate(draw: Draw, alpha: number): number {
  return (1 - draw()) ** (-1 / alpha);
}

/** Weibull with scale `alpha` and shape `beta`. */
export function weibullvariate(draw: Draw, alpha: number, beta: number): number {
  return alpha * (-Math.log(1 - draw())) ** (1 / beta);
}

/** Triangular on [low, high] with the given mode (default: the midpoint). */
export function triangular(draw: Draw, low: number, high: number, mode?: number): number {
  if (high === low) return low;
  let u = draw();
  let c = mode === undefined ? 0.5 : (mode - low) / (high - low);
  let [lo, hi] = [low, high];
  if (u > c) {
    u = 1 - u;
    c = 1 - c;
    [lo, hi] = [hi, lo];
  }
  return lo + (hi - lo) * Math.sqrt(u * c);
}

/** Von Mises (circular normal) with mean angle `mu` and concentration `kappa` ≥ 0, in [0, 2π). */
export function vonmisesvariate(draw: Draw, mu: number, kappa: number): number {
  if (kappa <= 1e-6) return TWO_PI * draw();
  const s = 0.5 / kappa;
  const r = s + Math.sqrt(1 + s * s);
  let z: number;
  for (;;) {
    z = Math.cos(Math.PI * draw());
    const d = z / (r + z);
    const u2 = draw();
    if (u2 < 1 - d * d || u2 <= (1 - d) * Math.exp(d)) break;
  }
  const q = 1 / r;
  const f = (q + z) / (1 + q * z);
  const theta = draw() > 0.5 ? mu + Math.acos(f) : mu - Math.acos(f);
  return ((theta % TWO_PI) + TWO_PI) % TWO_PI;
}

/** The number of values of `range(start, stop, step)` (Python semantics); 0 when empty. */
export function rangeLength(start: number, stop: number, step: number): number {
  if (step > 0) return Math.max(0, Math.floor((stop - start + step - 1) / step));
  return Math.max(0, Math.floor((stop - start + step + 1) / step));
}

/** A random element of `range(start, stop, step)`; the range must not be empty. */
export function randrange(draw: Draw, start: number, stop: number, step: number): number {
  return start + step * Math.floor(draw() * rangeLength(start, stop, step));
}

/** A random integer in [a, b], both included. */
export function randint(draw: Draw, a: number, b: number): number {
  return randrange(draw, a, b + 1, 1);
}

/** The `seed` parameter every generator tool has. */
export function seedParam() {
  return z
    .union([
      z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
      z.string(),
    ])
    .default(0)
    .describe(
      'seed of this tool’s own generator (integer or string): the same seed gives the same value at the same timestamp',
    );
}

/**
 * The `execute` of a generator tool: one value per alignment timestamp, `sample(draw, params,
 * timestamp)`, with `draw` seeded by (params.seed, name, timestamp); an undefined sample emits nothing.
 */
export function alignedSamples<P extends { readonly seed: Seed }>(
  name: string,
  sample: (draw: Draw, params: P, timestamp: number) => unknown,
): (ctx: PlainToolContext<P>) => AsyncIterable<StreamInstance> {
  return async function* execute(ctx) {
    if (ctx.sources.length > 0) {
      throw new ToolExecutionError(
        `tool "${name}" takes no source streams (${ctx.sources.length} given): remove the sources from the factor`,
        { tool: name, sink: ctx.sink.key },
      );
    }
    if (!ctx.alignment) {
      throw new ToolExecutionError(
        `tool "${name}" needs an alignment stream (one value is drawn per alignment timestamp): ` +
          'give the factor an alignment node, e.g. a clock',
        { tool: name, sink: ctx.sink.key },
      );
    }
    for await (const batch of ctx.alignment.view.batches()) {
      throwIfAborted(ctx, name);
      for (const { timestamp } of batch) {
        const value = sample(uniformDraws(ctx.params.seed, timestamp, name), ctx.params, timestamp);
        if (value !== undefined) yield { timestamp, value };
      }
    }
  };
}
