import type { FileNameRejection } from './file-name.js';
import { isFileNameRejection, parseIsoDateTime } from './file-name.js';
import { formatTimestamp } from '../time/timestamp.js';
import { isVersion } from '../internal/versions.js';

/** Extensions a code module may have (TypeScript files load without a build step). */
export const MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** What a module file name says: when the version became valid and which version it is. */
export interface ModuleFileName {
  /** The date in the name (epoch ms, UTC): the document time. */
  readonly timestamp: number;
  /** The semantic version after `_v`. */
  readonly version: string;
  readonly extension: string;
}

/**
 * Parses `<ISO date or date-time>_v<semver>.<ts|mts|js|mjs>`, e.g. `2024-01-15_v1.0.0.ts` or
 * `2016-07-13T1058Z_v0.1.0.ts`; returns why not for anything else (declaration files, editor
 * leftovers such as `2016-11-14_v0.1.0.ts~`, a missing `_v`).
 */
export function parseModuleFileName(fileName: string): ModuleFileName | FileNameRejection {
  if (/\.d\.[mc]?ts$/i.test(fileName)) return { reason: 'type declaration files are not modules' };
  const extension = MODULE_EXTENSIONS.find((ext) => fileName.endsWith(ext));
  if (!extension) {
    return { reason: `not a code module: the name must end in ${MODULE_EXTENSIONS.join(', ')}` };
  }
  const stem = fileName.slice(0, -extension.length);
  // Versions have no "_", so the last "_v" separates the date from the version.
  const underscore = stem.lastIndexOf('_v');
  if (underscore <= 0) {
    return { reason: 'expected <date>_v<version>, e.g. 2024-01-15_v1.0.0.ts' };
  }
  const timestamp = parseIsoDateTime(stem.slice(0, underscore));
  if (isFileNameRejection(timestamp)) return timestamp;
  const version = stem.slice(underscore + 2);
  if (!isVersion(version)) {
    return { reason: `"${version}" is not a semantic version such as 1.0.0` };
  }
  return { timestamp, version, extension };
}

/**
 * The file name for a module version: `2024-01-15_v1.0.0.ts`, or with a compact UTC time
 * (`2024-01-15T105800Z_v1.0.0.ts`, no colons so it is valid on every file system).
 */
export function formatModuleFileName(
  timestamp: number,
  version: string,
  extension = '.ts',
): string {
  const iso = formatTimestamp(timestamp);
  const date = iso.slice(0, 10);
  const time = iso
    .slice(11, 23)
    .replace(/:/g, '')
    .replace(/\.000$/, '');
  return `${time === '000000' ? date : `${date}T${time}Z`}_v${version}${extension}`;
}
