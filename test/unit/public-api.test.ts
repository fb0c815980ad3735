// The public surface is deliberate: adding or removing an export must change this list (and
// get a CHANGELOG line).
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import * as mongodb from '../../src/mongodb.js';
import * as sqlite from '../../src/sqlite.js';

const EXPECTED_EXPORTS = [
  'BUILTIN_FUNCTIONS',
  'BUILT_IN_LOADERS',
  'CONFIG_FILE_NAMES',
  'ChannelAlreadyExistsError',
  'ChannelManager',
  'ChannelNotFoundError',
  'ChannelReadOnlyError',
  'ConfigError',
  'DEFAULT_BACKOFF',
  'DEFAULT_HEARTBEAT_TIMEOUT_MS',
  'DEFAULT_ONLINE_SCHEDULE',
  'Engine',
  'ErrorCode',
  'ExecutionAbortedError',
  'FileChannel',
  'FunctionNotRegisteredError',
  'FunctionRegistry',
  'HyperstreamError',
  'HyperstreamRuntimeError',
  'HyperstreamUsageError',
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
  'Runner',
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
  'WorkflowManager',
  'WorkflowNotFoundError',
  'acquireLock',
  'backoffDelay',
  'backoffFromConfig',
  'checkBackoffPolicy',
  'checkChannelId',
  'collect',
  'combinePlateValues',
  'compareSemVer',
  'configSchema',
  'createMemoryBackend',
  'cronSchedule',
  'csvLoader',
  'defineConfig',
  'defineTool',
  'durationParam',
  'everySchedule',
  'factorDefinitionSchema',
  'flattenOutputs',
  'formatModuleFileName',
  'formatPlateValue',
  'formatTimestamp',
  'functionParam',
  'functionRegistry',
  'importModuleWithTsx',
  'instance',
  'isHyperstreamError',
  'isOutputBatch',
  'isProcessAlive',
  'isToolChannel',
  'isToolDefinition',
  'isToolInstance',
  'listServices',
  'loadConfig',
  'loadJson',
  'loadPlugins',
  'loadText',
  'locateConfigFile',
  'mergeByTimestamp',
  'metaDataRecordSchema',
  'nextCronTime',
  'onlineWorkflowsFromConfig',
  'parseCron',
  'parseCsv',
  'parseIsoDuration',
  'parseModuleFileName',
  'parsePluginConfigs',
  'parseSemVer',
  'parseSessionRecord',
  'parseTimeInterval',
  'parseTimestampedFileName',
  'parseWorkflowDefinition',
  'pathIdentifier',
  'plateConfigSchema',
  'plateValueKey',
  'projectPlateValue',
  'readServiceStatus',
  'realSleeper',
  'registerBuiltinFunctions',
  'registerFunction',
  'resolveConfig',
  'resolveInterval',
  'satisfiesRange',
  'servicePaths',
  'sessionOwnerSchema',
  'sessionRecordSchema',
  'startDetached',
  'stopService',
  'systemClock',
  'throwIfAborted',
  'timeParam',
  'toDurationMs',
  'toTimestamp',
  'virtualSleeper',
  'workPiece',
  'workflowDefinitionSchema',
  'writeServiceState',
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
