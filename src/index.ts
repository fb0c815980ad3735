// The public API of hyperstream-ts. Named exports only; every change here is deliberate
// (test/unit/public-api.test.ts) and gets a CHANGELOG line.

export {
  ErrorCode,
  HyperstreamError,
  HyperstreamUsageError,
  HyperstreamRuntimeError,
  isHyperstreamError,
  InvalidIntervalError,
  InvalidDurationError,
  InvalidTimestampError,
  InvalidStreamIdError,
  InvalidArgumentError,
  StreamNotFoundError,
  StreamAlreadyExistsError,
  StreamNotAvailableError,
  ChannelNotFoundError,
  ChannelAlreadyExistsError,
  ChannelReadOnlyError,
  ValueNotStorableError,
  StorageError,
  ToolNotFoundError,
  ToolLoadError,
  ToolParameterError,
  ToolExecutionError,
  ToolTimeoutError,
  FunctionNotRegisteredError,
  MetaDataError,
  PlateNotFoundError,
  PlateMismatchError,
  WorkflowNotFoundError,
  WorkflowDefinitionError,
  WorkflowExecutionError,
  ExecutionAbortedError,
  ConfigError,
  PathOutsideRootError,
} from './errors.js';
export type { ErrorDetails } from './errors.js';

// time
export { MIN_DATE, MAX_DATE, toTimestamp, formatTimestamp } from './time/timestamp.js';
export type { Timestamp, TimeLike } from './time/timestamp.js';
export { systemClock, VirtualClock } from './time/clock.js';
export type { Clock } from './time/clock.js';
export { toDurationMs, parseIsoDuration } from './time/duration.js';
export type { DurationLike } from './time/duration.js';
export { TimeInterval } from './time/time-interval.js';
export type { TimeIntervalJSON } from './time/time-interval.js';
export { TimeIntervals } from './time/time-intervals.js';
export type { TimeIntervalLike, SplitOptions } from './time/time-intervals.js';
export { RelativeTimeInterval } from './time/relative-time-interval.js';
export { parseTimeInterval, resolveInterval } from './time/parse-interval.js';
export type { IntervalSpec, ParseIntervalOptions } from './time/parse-interval.js';

// streams
export { StreamId } from './streams/stream-id.js';
export type {
  MetaDataPair,
  MetaDataInput,
  StreamIdLike,
  StreamIdJSON,
} from './streams/stream-id.js';
export { instance } from './streams/stream-instance.js';
export type { StreamInstance } from './streams/stream-instance.js';
export { Stream } from './channels/stream.js';
export type { WindowOptions } from './channels/stream.js';
export { StreamView } from './channels/stream-view.js';

// storage and channels
export type {
  StreamStore,
  StreamStoreCapabilities,
  ReadOptions,
  StreamFilter,
} from './storage/stream-store.js';
export { MemoryStreamStore } from './storage/memory/memory-stream-store.js';
export type { Channel, PurgeOptions } from './channels/channel.js';
export { StoreChannel } from './channels/store-channel.js';
export { MemoryChannel } from './channels/memory-channel.js';
export { ReadOnlyMemoryChannel } from './channels/read-only-memory-channel.js';
export { ChannelManager } from './channels/channel-manager.js';
export {
  FileChannel,
  BUILT_IN_LOADERS,
  loadJson,
  loadText,
  csvLoader,
  parseCsv,
} from './channels/file-channel.js';
export type {
  FileChannelOptions,
  FileDocument,
  FileEntry,
  FileLoader,
  FileIgnoredListener,
  CsvLoaderOptions,
} from './channels/file-channel.js';
export { parseTimestampedFileName } from './channels/file-name.js';
export type { TimestampedFileName, FileNameRejection } from './channels/file-name.js';
export { ModuleChannel, importModuleWithTsx } from './channels/module-channel.js';
export type {
  ModuleChannelOptions,
  ModuleDocument,
  ImportModule,
} from './channels/module-channel.js';
export { ToolChannel, isToolChannel } from './channels/tool-channel.js';
export type {
  ToolChannelOptions,
  GetToolOptions,
  ToolVersion,
  ToolListing,
} from './channels/tool-channel.js';

// tools
export {
  ToolKind,
  OUTPUT_BATCH_SIZE,
  isOutputBatch,
  flattenOutputs,
  defineTool,
  isToolDefinition,
  isToolInstance,
  functionParam,
} from './tools/tool.js';
export type {
  ToolSpec,
  ToolDefinition,
  ToolInstance,
  ToolReference,
  ToolDescription,
  ToolContext,
  ToolOutput,
  ToolYield,
  BaseToolContext,
  PlainToolContext,
  MultiOutputToolContext,
  AggregateToolContext,
  SelectorToolContext,
  PlateCreationToolContext,
  SourceWindow,
  AggregateSource,
  TaggedInstance,
  SelectedInstance,
  NewPlateValue,
} from './tools/tool.js';
export { FunctionRegistry, functionRegistry, registerFunction } from './tools/functions.js';
export { BUILTIN_FUNCTIONS, registerBuiltinFunctions } from './tools/builtin-functions.js';
export { timeParam, durationParam } from './tools/builtin-support.js';
export { throwIfAborted, mergeByTimestamp } from './tools/structural-support.js';
export type { TimestampGroup } from './tools/structural-support.js';
export { parseModuleFileName, formatModuleFileName } from './tools/module-file-name.js';
export type { ModuleFileName } from './tools/module-file-name.js';
export { compareSemVer, satisfiesRange, parseSemVer } from './tools/semver.js';
export type { SemVer } from './tools/semver.js';
export {
  loadPlugins,
  parsePluginConfigs,
  PluginConfigSchema,
  ToolResolver,
} from './tools/plugins.js';
export type {
  Plugin,
  PluginConfig,
  PluginConfigInput,
  LoadPluginsOptions,
  ToolRef,
} from './tools/plugins.js';
export type { ToolFunction, FunctionRef } from './tools/functions.js';

// plates
export { MetaDataTree, pathIdentifier } from './plates/meta-data-tree.js';
export type { MetaDataPath, MetaDataRecord, MetaDataStore } from './storage/meta-data-store.js';
export { metaDataRecordSchema } from './storage/meta-data-store.js';
export type { PlateFilter, PlateConfig, PlateStore } from './storage/plate-store.js';
export { plateConfigSchema } from './storage/plate-store.js';
export { MemoryMetaDataStore } from './storage/memory/memory-meta-data-store.js';
export { MemoryPlateStore } from './storage/memory/memory-plate-store.js';
export {
  Plate,
  combinePlateValues,
  plateValueKey,
  formatPlateValue,
  projectPlateValue,
} from './plates/plate.js';
export type { PlateValue } from './plates/plate.js';
export { PlateManager } from './plates/plate-manager.js';
export type { CreatePlateOptions, PlateManagerOptions } from './plates/plate-manager.js';

// workflows
export { Workflow } from './workflow/workflow.js';
export type {
  WorkflowEnvironment,
  WorkflowInfo,
  NodeRef,
  FactorOptions,
  PlainFactorSpec,
  MultiOutputFactorSpec,
  AggregateFactorSpec,
  SelectorFactorSpec,
  PlateCreationFactorSpec,
  FromDefinitionOptions,
} from './workflow/workflow.js';
export { Node } from './workflow/node.js';
export type { NodeDefinition } from './workflow/node.js';
export type {
  Factor,
  PlainFactor,
  MultiOutputFactor,
  AggregateFactor,
  SelectorFactor,
  PlateCreationFactor,
} from './workflow/factor.js';
export {
  workflowDefinitionSchema,
  factorDefinitionSchema,
  parseWorkflowDefinition,
} from './workflow/definition.js';
export type { WorkflowDefinition, FactorDefinition } from './workflow/definition.js';
export { ToolRegistry } from './workflow/tool-lookup.js';
export type { ToolLookup, AnyToolDefinition } from './workflow/tool-lookup.js';
export { WorkflowManager } from './workflow/workflow-manager.js';
export type { WorkflowLoader } from './workflow/workflow-manager.js';
export { MemoryWorkflowStore } from './storage/memory/memory-workflow-store.js';
export type { WorkflowStore, StoredWorkflow } from './storage/workflow-store.js';
export type {
  SessionRecord,
  SessionStatus,
  PieceRecord,
  FactorSummary,
  SessionStore,
  SessionFilter,
} from './storage/session-store.js';
export { sessionRecordSchema, parseSessionRecord } from './storage/session-store.js';
export { MemorySessionStore } from './storage/memory/memory-session-store.js';
export type {
  StorageBackend,
  StorageBackendKind,
  StorageBackendOptions,
  StorageCapabilities,
  BackendSessionStore,
} from './storage/backend.js';
export {
  checkChannelId,
  SESSION_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
} from './storage/backend.js';
export { createMemoryBackend } from './storage/memory/memory-backend.js';
export { sessionOwnerSchema } from './storage/session-store.js';
export type { SessionOwner } from './storage/session-store.js';
export type {
  ExecuteOptions,
  PurgeTarget,
  WorkflowPurgeOptions,
  PurgedStream,
  PurgeReport,
  WorkflowExecutor,
} from './workflow/execution.js';

// engine
export { Engine } from './engine/engine.js';
export type { EngineOptions } from './engine/engine.js';
export { Runner } from './engine/runner.js';
export type { RunnerDependencies } from './engine/runner.js';
export { workPiece } from './engine/work-piece.js';
export type { WorkPiece } from './engine/work-piece.js';

// configuration
export { configSchema, defineConfig } from './config/config-schema.js';
export type {
  ConfigInput,
  ParsedConfig,
  StorageConfig,
  RetryConfig,
  OnlineConfig,
  OnlineWorkflowConfig,
  LoggingConfig,
  WorkflowFactory,
} from './config/config-schema.js';
export {
  loadConfig,
  resolveConfig,
  locateConfigFile,
  CONFIG_FILE_NAMES,
} from './config/load-config.js';
export type { HyperstreamConfig, LoadConfigOptions } from './config/load-config.js';

// the online engine
export { OnlineEngine, virtualSleeper, realSleeper } from './online/online-engine.js';
export type {
  OnlineTarget,
  OnlineWorkflowOptions,
  OnlineEngineOptions,
  OnlineStatus,
  OnlineWorkflowStatus,
  OnlineState,
  FailedPiece,
  ActionResult,
  Sleeper,
  OnlineLogger,
} from './online/online-engine.js';
export { everySchedule, cronSchedule } from './online/schedule.js';
export type { Schedule } from './online/schedule.js';
export { parseCron, nextCronTime } from './online/cron.js';
export type { CronFields } from './online/cron.js';
export { backoffDelay, checkBackoffPolicy, DEFAULT_BACKOFF } from './online/backoff.js';
export type { BackoffPolicy } from './online/backoff.js';
export {
  onlineWorkflowsFromConfig,
  backoffFromConfig,
  DEFAULT_ONLINE_SCHEDULE,
} from './online/from-config.js';
export {
  servicePaths,
  acquireLock,
  readServiceStatus,
  listServices,
  writeServiceState,
  stopService,
  startDetached,
  isProcessAlive,
} from './online/service.js';
export type { ServicePaths, ServiceStatus, LockResult, DetachOptions } from './online/service.js';

// helpers
export { collect } from './internal/async.js';
