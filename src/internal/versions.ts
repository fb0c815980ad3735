import semver from 'semver';
import { InvalidArgumentError } from '../errors.js';

// Tool versions and the ranges that ask for them, with npm's semver rules (the `semver` package):
// `^1.2`, `~1.2.3`, `1.x`, `>=1.2.3 <2.0.0 || 3.x`, `1.2.3 - 1.2.5`, `v1.2.3`; a pre-release
// matches a range only when the range names a pre-release of the same major.minor.patch.

/** True for a canonical semantic version such as `1.0.0` or `1.0.0-beta.1` (no `v`, no build metadata). */
export function isVersion(text: string): boolean {
  return semver.valid(text) === text;
}

/** Semver precedence: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

/** Checks a version range; `InvalidArgumentError` saying what a range looks like otherwise. */
export function checkVersionRange(range: string): string {
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw new InvalidArgumentError(
      `invalid version range ${JSON.stringify(range)}: expected a version (1.2.3) or an npm range such as ^1.2.0, ~1.2.0, >=1.0.0 <2.0.0, 1.x`,
      { range },
    );
  }
  return range;
}

/** True when `version` is in `range` (npm rules). */
export function satisfiesVersion(version: string, range: string): boolean {
  return semver.satisfies(version, range);
}

/** The major version of a semantic version (`1.4.2` → 1). */
export function majorVersion(version: string): number {
  return semver.major(version);
}
