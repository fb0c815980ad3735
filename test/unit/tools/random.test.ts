import { describe, expect, it } from 'vitest';
import type { Draw } from '../../../src/tools/random.js';
import {
  betavariate,
  expovariate,
  gammavariate,
  gauss,
  lognormvariate,
  normalvariate,
  paretovariate,
  randint,
  randrange,
  rangeLength,
  triangular,
  uniform,
  uniformDraws,
  vonmisesvariate,
  weibullvariate,
} from '../../../src/tools/random.js';

const N = 10_000;
const T0 = Date.UTC(2020, 0, 1);

/** N samples, each from its own timestamp (as the generator tools draw them). */
function samples(
  sample: (draw: Draw) => number,
  seed: number | string = 7,
  salt = 'test',
): number[] {
  const out: number[] = [];
  for (let i = 0; i < N; i++) out.push(sample(uniformDraws(seed, T0 + i * 1000, salt)));
  return out;
}

function moments(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

/** Checks mean and variance against the theory, within `k` standard errors (and a relative slack). */
function expectMoments(values: readonly number[], mean: number, variance: number, k = 5): void {
  const m = moments(values);
  expect(Math.abs(m.mean - mean)).toBeLessThan(k * Math.sqrt(variance / values.length) + 1e-12);
  expect(Math.abs(m.variance - variance)).toBeLessThan(0.08 * variance);
}

describe('uniformDraws', () => {
  it('is a pure function of (seed, timestamp, salt)', () => {
    const a = uniformDraws(42, T0, 'gauss');
    const b = uniformDraws(42, T0, 'gauss');
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first[0]).not.toBe(first[1]);
  });

  it('differs by seed, timestamp, salt and seed type', () => {
    const first = (seed: number | string, t: number, salt: string): number =>
      uniformDraws(seed, t, salt)();
    const base = first(42, T0, 'gauss');
    expect(first(43, T0, 'gauss')).not.toBe(base);
    expect(first(42, T0 + 1, 'gauss')).not.toBe(base);
    expect(first(42, T0, 'normalvariate')).not.toBe(base);
    expect(first('42', T0, 'gauss')).not.toBe(base);
  });

  it('handles negative and large timestamps and seeds', () => {
    for (const [seed, t] of [
      [-1, -62_135_596_800_000],
      [Number.MAX_SAFE_INTEGER, 253_402_300_799_999],
      ['', 0],
    ] as const) {
      const u = uniformDraws(seed, t)();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  it('gives uniform [0, 1) numbers with independent consecutive draws', () => {
    const first: number[] = [];
    const second: number[] = [];
    for (let i = 0; i < N; i++) {
      const draw = uniformDraws(1, T0 + i);
      first.push(draw());
      second.push(draw());
    }
    expectMoments(first, 0.5, 1 / 12);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
    // Ten equal bins: a chi-square with 9 degrees of freedom stays far below 40.
    const bins = new Array<number>(10).fill(0);
    for (const u of first) bins[Math.floor(u * 10)]!++;
    const chi2 = bins.reduce((acc, count) => acc + (count - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(40);
    // Draws within one timestamp and across neighbouring timestamps are uncorrelated.
    const correlation = (xs: number[], ys: number[]): number => {
      const mx = moments(xs).mean;
      const my = moments(ys).mean;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < xs.length; i++) {
        sxy += (xs[i]! - mx) * (ys[i]! - my);
        sxx += (xs[i]! - mx) ** 2;
        syy += (ys[i]! - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    expect(Math.abs(correlation(first, second))).toBeLessThan(0.05);
    expect(Math.abs(correlation(first.slice(1), first.slice(0, -1)))).toBeLessThan(0.05);
  });
});

describe('distributions', () => {
  it('uniform has mean (a+b)/2 and variance (b−a)²/12', () => {
    const values = samples((d) => uniform(d, 2, 6));
    expectMoments(values, 4, 16 / 12);
    expect(values.every((v) => v >= 2 && v < 6)).toBe(true);
  });

  it('gauss and normalvariate have the given mean and variance', () => {
    expectMoments(
      samples((d) => gauss(d, 3, 2)),
      3,
      4,
    );
    expectMoments(
      samples((d) => normalvariate(d, -1, 0.5)),
      -1,
      0.25,
    );
  });

  it('lognormvariate is exp of a normal', () => {
    const mu = 0.2;
    const sigma = 0.3;
    const mean = Math.exp(mu + sigma ** 2 / 2);
    const variance = (Math.exp(sigma ** 2) - 1) * Math.exp(2 * mu + sigma ** 2);
    expectMoments(
      samples((d) => lognormvariate(d, mu, sigma)),
      mean,
      variance,
    );
  });

  it('expovariate has mean 1/λ and variance 1/λ²', () => {
    expectMoments(
      samples((d) => expovariate(d, 2)),
      0.5,
      0.25,
    );
  });

  it('gammavariate has mean αβ and variance αβ² for α above, at and below 1', () => {
    for (const [alpha, beta] of [
      [3, 2],
      [1, 0.5],
      [0.5, 1],
    ] as const) {
      const values = samples((d) => gammavariate(d, alpha, beta));
      expect(values.every((v) => v >= 0)).toBe(true);
      expectMoments(values, alpha * beta, alpha * beta * beta);
    }
  });

  it('betavariate has mean α/(α+β)', () => {
    const [a, b] = [2, 5];
    const values = samples((d) => betavariate(d, a, b));
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    expectMoments(values, a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1)));
  });

  it('paretovariate is at least 1 with mean α/(α−1)', () => {
    // α = 10 keeps the fourth moment finite, so the sample variance settles within 10k draws.
    const alpha = 10;
    const values = samples((d) => paretovariate(d, alpha));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1);
    expectMoments(values, alpha / (alpha - 1), alpha / ((alpha - 1) ** 2 * (alpha - 2)));
  });

  it('weibullvariate with shape 1 is exponential with mean α', () => {
    expectMoments(
      samples((d) => weibullvariate(d, 2, 1)),
      2,
      4,
    );
  });

  it('triangular has mean (low+high+mode)/3', () => {
    const [low, high, mode] = [1, 4, 3];
    const values = samples((d) => triangular(d, low, high, mode));
    expect(values.every((v) => v >= low && v <= high)).toBe(true);
    const variance =
      (low ** 2 + high ** 2 + mode ** 2 - low * high - low * mode - high * mode) / 18;
    expectMoments(values, (low + high + mode) / 3, variance);
    expect(triangular(uniformDraws(1, 0), 2, 2)).toBe(2);
  });

  it('vonmisesvariate concentrates around mu and stays in [0, 2π)', () => {
    const values = samples((d) => vonmisesvariate(d, 1, 4));
    expect(values.every((v) => v >= 0 && v < 2 * Math.PI)).toBe(true);
    // The mean direction is mu; the mean resultant length is I1(κ)/I0(κ) ≈ 0.8635 for κ = 4.
    const c = values.reduce((a, v) => a + Math.cos(v), 0) / N;
    const s = values.reduce((a, v) => a + Math.sin(v), 0) / N;
    expect(Math.atan2(s, c)).toBeCloseTo(1, 1);
    expect(Math.hypot(c, s)).toBeCloseTo(0.8635, 1);
    const flat = samples((d) => vonmisesvariate(d, 1, 0));
    expectMoments(flat, Math.PI, (4 * Math.PI ** 2) / 12);
  });

  it('randrange and randint cover their range evenly with Python semantics', () => {
    expect(rangeLength(0, 10, 3)).toBe(4);
    expect(rangeLength(10, 0, -3)).toBe(4);
    expect(rangeLength(5, 5, 1)).toBe(0);
    const stepped = samples((d) => randrange(d, 10, 0, -3));
    expect(new Set(stepped)).toEqual(new Set([10, 7, 4, 1]));
    const dice = samples((d) => randint(d, 1, 6));
    expect(new Set(dice)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expectMoments(dice, 3.5, 35 / 12);
  });
});
