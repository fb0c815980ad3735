import { InvalidArgumentError } from '../errors.js';

/** A parsed semantic version `MAJOR.MINOR.PATCH[-prerelease]`. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers, empty for a release. */
  readonly prerelease: readonly string[];
}

const VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** Parses `1.2.3` or `1.2.3-beta.1`; undefined when it is not a semantic version. */
export function parseSemVer(text: string): SemVer | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

/** Semver precedence: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareSemVer(a: string | SemVer, b: string | SemVer): number {
  const x = typeof a === 'string' ? requireSemVer(a) : a;
  const y = typeof b === 'string' ? requireSemVer(b) : b;
  const core = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (core !== 0) return Math.sign(core);
  // A pre-release sorts before its release.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    return Math.sign(y.prerelease.length - x.prerelease.length);
  }
  const n = Math.min(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < n; i++) {
    const p = x.prerelease[i]!;
    const q = y.prerelease[i]!;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return Math.sign(x.prerelease.length - y.prerelease.length);
}

type Comparator = (v: SemVer) => boolean;

/**
 * The subset of npm ranges tool requests need: an exact version (`1.2.3`, `=1.2.3`), caret
 * (`^1.2.3`), tilde (`~1.2.3`), comparisons (`>=1.2.0`, `>1.0.0`, `<2.0.0`, `<=1.4.0`), x-ranges
 * (`1.x`, `1.2.x`, `*`), and several of these separated by spaces (all must hold). Pre-release
 * versions match only an exact request, as in npm.
 *
 * @example
 * satisfiesRange('1.4.2', '^1.2.0'); // true
 * satisfiesRange('2.0.0', '^1.2.0'); // false
 */
export function satisfiesRange(version: string | SemVer, range: string): boolean {
  const v = typeof version === 'string' ? parseSemVer(version) : version;
  if (!v) return false;
  const comparators = parseRange(range);
  if (v.prerelease.length > 0) {
    const exact = parseSemVer(range.trim().replace(/^=/, ''));
    return exact !== undefined && compareSemVer(v, exact) === 0;
  }
  return comparators.every((test) => test(v));
}

/** True when `range` is a plain version rather than a range. */
export function isExactVersion(range: string): boolean {
  return parseSemVer(range.trim().replace(/^=/, '')) !== undefined;
}

/** Throws `InvalidArgumentError` unless `range` is in the supported subset. */
export function parseRange(range: string): Comparator[] {
  const parts = range.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) throw invalidRange(range);
  return parts.map((part) => parseComparator(part, range));
}

function parseComparator(part: string, range: string): Comparator {
  const match = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(part)!;
  const operator = match[1] ?? '';
  const target = match[2] ?? '';
  if (target === '*' || /^[xX*]$/.test(target)) {
    if (operator !== '' && operator !== '>=' && operator !== '=') throw invalidRange(range);
    return () => true;
  }
  const partial = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*|[xX*]))?(?:\.[xX*])?$/.exec(target);
  let full = target;
  if (partial) {
    const major = Number(partial[1]);
    const minorText = partial[2];
    const minor =
      minorText === undefined || /[xX*]/.test(minorText) ? undefined : Number(minorText);
    // A plain x-range (1, 1.x, 1.2, 1.2.x): any version with these leading numbers; so is ~1.
    if (operator === '' || operator === '=' || (operator === '~' && minor === undefined)) {
      return (v) => v.major === major && (minor === undefined || v.minor === minor);
    }
    // ^1.2, ~1.2, >=1, <2: the missing numbers are zeros; > and <= would need npm's bumping rule.
    if (operator === '>' || operator === '<=') throw invalidRange(range);
    full = `${major}.${minor ?? 0}.0`;
  }
  const base = parseSemVer(full);
  if (!base) throw invalidRange(range);
  switch (operator) {
    case '':
    case '=':
      return (v) => compareSemVer(v, base) === 0;
    case '>=':
      return (v) => compareSemVer(v, base) >= 0;
    case '>':
      return (v) => compareSemVer(v, base) > 0;
    case '<=':
      return (v) => compareSemVer(v, base) <= 0;
    case '<':
      return (v) => compareSemVer(v, base) < 0;
    case '~':
      return (v) => compareSemVer(v, base) >= 0 && v.major === base.major && v.minor === base.minor;
    case '^':
      // ^1.2.3 := >=1.2.3 <2.0.0; ^0.2.3 := >=0.2.3 <0.3.0; ^0.0.3 := =0.0.3 (npm's rule).
      return (v) => {
        if (compareSemVer(v, base) < 0) return false;
        if (base.major > 0) return v.major === base.major;
        if (base.minor > 0) return v.major === 0 && v.minor === base.minor;
        return v.major === 0 && v.minor === 0 && v.patch === base.patch;
      };
    default:
      throw invalidRange(range);
  }
}

function requireSemVer(text: string): SemVer {
  const v = parseSemVer(text);
  if (!v) {
    throw new InvalidArgumentError(`invalid version "${text}": expected semver such as 1.0.0`, {
      version: text,
    });
  }
  return v;
}

function invalidRange(range: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `invalid version range "${range}": use 1.2.3, ^1.2.3, ~1.2.3, >=1.2.3, <2.0.0, 1.x or 1.2.x`,
    { range },
  );
}
