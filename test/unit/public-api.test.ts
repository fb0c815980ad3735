// The public surface is deliberate: adding or removing an export must change this list (and
// get a CHANGELOG line).
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as distributed from '../../src/distributed.js';
import * as mongodb from '../../src/mongodb.js';
import * as sqlite from '../../src/sqlite.js';
import * as toolkit from '../../src/toolkit.js';
import * as ui from '../../src/ui.js';

const EXPECTED_EXPORTS = [
  'BUILTIN_FUNCTIONS',
  'BUILT_IN_LOADERS',
  'BatchBuilder',
  'CONFIG_FILE_NAMES',
  'CalculatedRanges',
  'ChannelAlreadyExistsError',
  'ChannelManager',
  'ChannelNotFoundError',
  'ChannelReadOnlyError',
  'CompositeToolSource',
  'ConfigError',
  'DEFAULT_BACKOFF',
  'DEFAULT_HEARTBEAT_TIMEOUT_MS',
  'DEFAULT_ONLINE_SCHEDULE',
  'EXPORT_FORMAT_NAMES',
  'Engine',
  'ErrorCode',
  'ExecutionAbortedError',
  'FileChannel',
  'FingerprintMismatchError',
  'FunctionNotRegisteredError',
  'FunctionRegistry',
  'HyperstreamError',
  'HyperstreamRuntimeError',
  'HyperstreamUsageError',
  'IMPORT_FORMAT_NAMES',
  'InvalidArgumentError',
  'InvalidDurationError',
  'InvalidIntervalError',
  'InvalidStreamIdError',
  'InvalidTimestampError',
  'MAX_DATE',
  'MIN_DATE',
  'MemoryChannel',
  'MemoryMetaDataStore',
  'MemoryPlateStore',
  'MemorySessionStore',
  'MemoryStreamStore',
  'MemoryToolSource',
  'MemoryWorkflowStore',
  'MetaDataError',
  'MetaDataTree',
  'ModuleChannel',
  'Node',
  'OUTPUT_BATCH_SIZE',
  'OnlineEngine',
  'PathOutsideRootError',
  'Plate',
  'PlateManager',
  'PlateMismatchError',
  'PlateNotFoundError',
  'PluginConfigSchema',
  'ReadOnlyMemoryChannel',
  'RelativeTimeInterval',
  'SESSION_HEARTBEAT_INTERVAL_MS',
  'StorageError',
  'StoreChannel',
  'Stream',
  'StreamAlreadyExistsError',
  'StreamId',
  'StreamNotAvailableError',
  'StreamNotFoundError',
  'StreamView',
  'TimeInterval',
  'TimeIntervals',
  'ToolChannel',
  'ToolExecutionError',
  'ToolKind',
  'ToolLoadError',
  'ToolNotFoundError',
  'ToolParameterError',
  'ToolRegistry',
  'ToolResolver',
  'ToolTimeoutError',
  'ValueNotStorableError',
  'VirtualClock',
  'Workflow',
  'WorkflowDefinitionError',
  'WorkflowExecutionError',
  'WorkflowGraph',
  'WorkflowManager',
  'WorkflowNotFoundError',
  'backoffDelay',
  'backoffFromConfig',
  'batchFromInstances',
  'batchToInstances',
  'checkBackoffPolicy',
  'checkBatchTimestamps',
  'checkChannelId',
  'collect',
  'columnFromValues',
  'columnLength',
  'columnOutputInstances',
  'columnValues',
  'combinePlateValues',
  'concatBatches',
  'configSchema',
  'createFunctionRegistry',
  'createMemoryBackend',
  'cronSchedule',
  'csvLoader',
  'defineConfig',
  'defineTool',
  'everySchedule',
  'exportView',
  'factorDefinitionSchema',
  'fieldColumn',
  'fingerprintOf',
  'flattenOutputs',
  'formatModuleFileName',
  'formatPlateValue',
  'formatTimestamp',
  'functionParam',
  'functionRegistry',
  'importModuleWithTsx',
  'instance',
  'isBatch',
  'isColumnOutput',
  'isHyperstreamError',
  'isOutputBatch',
  'isToolChannel',
  'isToolDefinition',
  'isToolInstance',
  'listServices',
  'loadConfig',
  'loadJson',
  'loadPlugins',
  'loadText',
  'locateConfigFile',
  'makeBatch',
  'metaDataRecordSchema',
  'nextCronTime',
  'numberColumn',
  'numbersOf',
  'objectColumn',
  'onlineWorkflowsFromConfig',
  'parseCron',
  'parseCsv',
  'parseIsoDuration',
  'parseModuleFileName',
  'parsePluginConfigs',
  'parseSessionRecord',
  'parseTimeInterval',
  'parseTimestampedFileName',
  'parseWorkflowDefinition',
  'pathIdentifier',
  'pathParam',
  'plateConfigSchema',
  'plateValueKey',
  'plateValueObject',
  'projectPlateValue',
  'readColumnsOf',
  'readInstancesFile',
  'readServiceStatus',
  'realSleeper',
  'registerFunction',
  'resolveConfig',
  'resolveInterval',
  'sessionOwnerSchema',
  'sessionRecordSchema',
  'sliceBatch',
  'stopService',
  'stringColumn',
  'structColumn',
  'systemClock',
  'takeRows',
  'toDurationMs',
  'toPlateValue',
  'toTimestamp',
  'valueAt',
  'virtualSleeper',
  'withBaseDir',
  'workflowDefinitionSchema',
  'writeBatchTo',
  'z',
];

// hyperstream-ts/distributed: work pieces on BullMQ workers (the only entry that loads bullmq).
const EXPECTED_DISTRIBUTED_EXPORTS = [
  'DEFAULT_PREFIX',
  'DEFAULT_QUEUE',
  'DEFAULT_QUEUE_RETRY',
  'DEFAULT_RUN_PRIORITY',
  'JOB_FORMAT',
  'MAX_PRIORITY',
  'createQueueScheduler',
  'openQueueAdmin',
  'pieceJobSchema',
  'startWorker',
];

// hyperstream-ts/toolkit: what tool authors (and the built-in tools) build tools with.
const EXPECTED_TOOLKIT_EXPORTS = [
  'BatchCollector',
  'COLUMN_BATCH_ROWS',
  'DATE_PARSERS',
  'Partitioner',
  'PlateValueClaims',
  'WindowBuffer',
  'alignedSamples',
  'betavariate',
  'calendarDurationParam',
  'canonicalJson',
  'clampedInterval',
  'csvOptionFields',
  'describeValue',
  'durationParam',
  'expovariate',
  'firstStepAfter',
  'firstTickAfter',
  'gammavariate',
  'gauss',
  'instancesOf',
  'intervalMapping',
  'intervalParam',
  'isCalendarStep',
  'isRecord',
  'keyTargets',
  'latestSplittingValue',
  'listValue',
  'lognormvariate',
  'mappingLookup',
  'mergeByTimestamp',
  'mergeColumnsByTimestamp',
  'minusStep',
  'normalvariate',
  'numberList',
  'paretovariate',
  'partitionRows',
  'percentileOfSorted',
  'randint',
  'randrange',
  'rangeLength',
  'readCsvInstances',
  'requireSource',
  'requireSources',
  'seedParam',
  'splitByElement',
  'splitDictInstances',
  'splitDicts',
  'splitEntries',
  'stepTick',
  'tagByIntervals',
  'throwIfAborted',
  'timeParam',
  'timeStep',
  'timeZoneParam',
  'toInterval',
  'toWindow',
  'triangular',
  'uniform',
  'uniformDraws',
  'vonmisesvariate',
  'weibullvariate',
  'windowContents',
];

const EXPECTED_MONGODB_EXPORTS = [
  'AssetsChannel',
  'DatabaseChannel',
  'MongoMetaDataStore',
  'MongoPlateStore',
  'MongoSessionStore',
  'MongoStreamStore',
  'MongoWorkflowStore',
  'checkStorable',
  'createMongoBackend',
  'createMongoEngineOptions',
  'createMongoStore',
];

const EXPECTED_SQLITE_EXPORTS = [
  'SqliteMetaDataStore',
  'SqlitePlateStore',
  'SqliteSessionStore',
  'SqliteStreamStore',
  'SqliteWorkflowStore',
  'createSqliteBackend',
];

const EXPECTED_UI_EXPORTS = [
  'DEFAULT_UI_PORT',
  'GRAPH_FORMATS',
  'UI_ASSETS_DIR',
  'formatWorkflowGraph',
  'startUi',
  'workflowGraphModel',
];

describe('public API', () => {
  it('hyperstream-ts exports exactly the expected names', () => {
    expect(Object.keys(api).sort()).toEqual(EXPECTED_EXPORTS);
  });

  it('hyperstream-ts/mongodb exports exactly the expected names', () => {
    expect(Object.keys(mongodb).sort()).toEqual(EXPECTED_MONGODB_EXPORTS);
  });

  it('hyperstream-ts/sqlite exports exactly the expected names', () => {
    expect(Object.keys(sqlite).sort()).toEqual(EXPECTED_SQLITE_EXPORTS);
  });

  it('hyperstream-ts/distributed exports exactly the expected names', () => {
    expect(Object.keys(distributed).sort()).toEqual(EXPECTED_DISTRIBUTED_EXPORTS);
  });

  it('the main entry does not load bullmq or ioredis', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/bullmq|ioredis|distributed/);
  });

  it('hyperstream-ts/toolkit exports exactly the expected names', () => {
    expect(Object.keys(toolkit).sort()).toEqual(EXPECTED_TOOLKIT_EXPORTS);
  });

  it('hyperstream-ts/ui exports exactly the expected names', () => {
    expect(Object.keys(ui).sort()).toEqual(EXPECTED_UI_EXPORTS);
  });

  it('the main entry does not load the web view', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\.\/ui[/.]/);
  });

  it('the main entry does not load the MongoDB driver', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/mongodb/);
  });

  it('the main entry does not load the native SQLite module', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/sqlite/i);
  });
});
