// The `hyperstream-ts/toolkit` entry point: helpers for writing tools, the ones the built-in tools
// use. Tool files import it by package name, as any plugin does:
//   import { throwIfAborted, mergeByTimestamp } from 'hyperstream-ts/toolkit';

export {
  isRecord,
  throwIfAborted,
  mergeByTimestamp,
  intervalParam,
  toInterval,
  requireSource,
  instancesOf,
  latestSplittingValue,
  intervalMapping,
  describeValue,
  tagByIntervals,
  splitDicts,
  splitDictInstances,
  PlateValueClaims,
  splitByElement,
  splitEntries,
  mappingLookup,
} from './tools/structural-support.js';
export type { TimestampGroup, IntervalParam, EmitSplit } from './tools/structural-support.js';
export {
  COLUMN_BATCH_ROWS,
  keyTargets,
  partitionRows,
  Partitioner,
  mergeColumnsByTimestamp,
  BatchCollector,
} from './tools/columnar-support.js';
export type { MergedGroups } from './tools/columnar-support.js';
export {
  timeParam,
  durationParam,
  calendarDurationParam,
  timeZoneParam,
  firstTickAfter,
  requireSources,
  clampedInterval,
  toWindow,
  WindowBuffer,
  listValue,
  numberList,
  windowContents,
} from './tools/builtin-support.js';
export type { WindowContents } from './tools/builtin-support.js';
export {
  uniformDraws,
  uniform,
  gauss,
  normalvariate,
  lognormvariate,
  expovariate,
  gammavariate,
  betavariate,
  paretovariate,
  weibullvariate,
  triangular,
  vonmisesvariate,
  rangeLength,
  randrange,
  randint,
  seedParam,
  alignedSamples,
} from './tools/random.js';
export type { Seed, Draw } from './tools/random.js';
export { DATE_PARSERS, csvOptionFields, readCsvInstances } from './tools/csv.js';
export type { DateParserName, CsvOptions } from './tools/csv.js';
export { percentileOfSorted } from './tools/builtin-functions.js';
export { timeStep, isCalendarStep, stepTick, minusStep, firstStepAfter } from './time/calendar.js';
export type { TimeStep } from './time/calendar.js';
export { canonicalJson } from './internal/canonical-json.js';
