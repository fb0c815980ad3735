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
  FingerprintMismatchError,
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
export {
  isBatch,
  makeBatch,
  numberColumn,
  stringColumn,
  objectColumn,
  structColumn,
  columnLength,
  valueAt,
  columnValues,
  columnFromValues,
  batchFromInstances,
  batchToInstances,
  sliceBatch,
  takeRows,
  fieldColumn,
  numbersOf,
  checkBatchTimestamps,
} from './streams/batch.js';
export type {
  Batch,
  Column,
  NumberColumn,
  StringColumn,
  ObjectColumn,
  StructColumn,
} from './streams/batch.js';
export { BatchBuilder, concatBatches } from './streams/batch-builder.js';
export type { StreamInstance } from './streams/stream-instance.js';
export { Stream } from './channels/stream.js';
export type { WindowOptions } from './channels/stream.js';
export { StreamView } from './channels/stream-view.js';
export type { Columns, ColumnType, ValueShape, FieldShape } from './channels/columns.js';
export { exportView, EXPORT_FORMAT_NAMES } from './channels/export.js';
export type { ExportOptions, ExportReport, ExportFormatName } from './channels/export.js';
export { readInstancesFile, IMPORT_FORMAT_NAMES } from './channels/import.js';
export type { ImportFormatName } from './channels/import.js';

// storage and channels
export type {
  StreamStore,
  StreamStoreCapabilities,
  ReadOptions,
  ColumnReadOptions,
  StreamFilter,
} from './storage/stream-store.js';
export { MemoryStreamStore } from './storage/memory/memory-stream-store.js';
export { CalculatedRanges } from './storage/calculated-ranges.js';
export type { CalculatedRange, CalculatedStamp } from './storage/calculated-ranges.js';
export type { Channel, ExternalWrite, WriteListener } from './channels/channel.js';
export type {
  PurgeOptions,
  StreamAccess,
  StreamReader,
  WriteOptions,
} from './channels/stream-access.js';
export { readColumnsOf, writeBatchTo } from './channels/stream-access.js';
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

// tools
export {
  ToolKind,
  OUTPUT_BATCH_SIZE,
  isOutputBatch,
  isColumnOutput,
  columnOutputInstances,
  flattenOutputs,
  defineTool,
  isToolDefinition,
  isToolInstance,
  functionParam,
  pathParam,
  withBaseDir,
} from './tools/tool.js';
// The zod the engine validates parameters with: tool authors import it from here, so a tool's
// schema never comes from another (mismatched) copy of zod.
export { z } from 'zod';
export type {
  ToolSpec,
  ToolDefinition,
  ToolInstance,
  ToolReference,
  ToolDescription,
  ToolContext,
  ToolOutput,
  ToolYield,
  ToolBatch,
  TaggedBatch,
  SelectedBatch,
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
export type { CreateToolOptions } from './tools/tool.js';
export { FunctionRegistry, functionRegistry, registerFunction } from './tools/functions.js';
export type { ToolFunction, FunctionRef, FunctionResolver } from './tools/functions.js';
export { BUILTIN_FUNCTIONS } from './tools/builtin-functions.js';
export { createFunctionRegistry } from './tools/function-scope.js';
export { ToolChannel, isToolChannel } from './tools/tool-channel.js';
export type { ToolChannelOptions } from './tools/tool-channel.js';
export { MemoryToolSource, CompositeToolSource } from './tools/tool-source.js';
export type {
  ToolSource,
  GetToolOptions,
  ToolVersion,
  ToolListing,
  ToolRef,
} from './tools/tool-source.js';
export { parseModuleFileName, formatModuleFileName } from './channels/module-file-name.js';
export type { ModuleFileName } from './channels/module-file-name.js';
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
} from './tools/plugins.js';

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
  toPlateValue,
  plateValueObject,
} from './plates/plate.js';
export type { PlateValue, PlateValueInput, PlateValueObject } from './plates/plate.js';
export { PlateManager } from './plates/plate-manager.js';
export type {
  CreatePlateOptions,
  PlateManagerOptions,
  MetaDataPathInput,
} from './plates/plate-manager.js';

// factors and their kinds
export { Node } from './kinds/node.js';
export type { NodeDefinition, NodeStream, ChannelLookup } from './kinds/node.js';
export type { FactorOptions, NodeRef, PlateDeclaration } from './kinds/kind.js';
export type { Factor, FactorDefinition } from './kinds/index.js';
export { factorDefinitionSchema } from './kinds/index.js';
export type { PlainFactor, PlainFactorSpec } from './kinds/plain.js';
export type { MultiOutputFactor, MultiOutputFactorSpec } from './kinds/multi-output.js';
export type { AggregateFactor, AggregateFactorSpec } from './kinds/aggregate.js';
export type { SelectorFactor, SelectorFactorSpec } from './kinds/selector.js';
export type { PlateCreationFactor, PlateCreationFactorSpec } from './kinds/plate-creation.js';
export type { WorkPiece, PieceInput, PieceSink } from './kinds/work-piece.js';

// workflows
export { Workflow } from './workflow/workflow.js';
export type {
  WorkflowEnvironment,
  FromDefinitionOptions,
  ResultsOptions,
} from './workflow/workflow.js';
export type { WorkflowInfo } from './workflow/workflow-info.js';
export { WorkflowGraph } from './workflow/graph.js';
export { workflowDefinitionSchema, parseWorkflowDefinition } from './workflow/definition.js';
export type { WorkflowDefinition } from './workflow/definition.js';
/** @deprecated use {@link MemoryToolSource}: tool definitions held in memory. */
export { MemoryToolSource as ToolRegistry } from './tools/tool-source.js';
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
  PieceProgress,
  WorkflowExecutor,
  ExecutableWorkflow,
} from './workflow/execution.js';

// engine
export { Engine } from './engine/engine.js';
export type { EngineOptions } from './engine/engine.js';
export { fingerprintOf } from './engine/fingerprint.js';
export type { FactorProvenance } from './engine/fingerprint.js';
export type { RangeProvenance, StreamProvenance } from './engine/provenance.js';
export type { EngineWriteOptions, FindStreamOptions, WriteReport } from './engine/stream-io.js';

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
export type { CronExpression } from './online/cron.js';
export { backoffDelay, checkBackoffPolicy, DEFAULT_BACKOFF } from './internal/backoff.js';
export type { BackoffJitter, BackoffPolicy } from './internal/backoff.js';
export {
  onlineWorkflowsFromConfig,
  backoffFromConfig,
  DEFAULT_ONLINE_SCHEDULE,
} from './config/online-from-config.js';
export { readServiceStatus, listServices, stopService } from './online/service.js';
export type { ServiceStatus } from './online/service.js';

// helpers
export { collect } from './internal/async.js';
