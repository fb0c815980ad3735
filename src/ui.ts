// The `hyperstream-ts/ui` entry point: the local web view (an HTTP server and its page) and the
// workflow graph as pictures and text, kept out of the main entry so that using the engine never
// loads them.
export { startUi, DEFAULT_UI_PORT, UI_ASSETS_DIR } from './ui/server.js';
export type { UiOptions, UiServer } from './ui/server.js';
export { workflowGraphModel } from './ui/graph-model.js';
// The JSON the web view's API answers with (docs/ui.md).
export type {
  ApiErrorBody,
  ChannelSummary,
  CoveragePiece,
  CoverageRow,
  DownsampledSeries,
  GraphEdge,
  GraphFactor,
  GraphNode,
  IntervalJSON,
  InvalidRange,
  NodeCoverage,
  PlateBox,
  PlateValueJSON,
  QueueOverview,
  QueuePieceJSON,
  QueueWorkerJSON,
  ServiceStatusJSON,
  SessionStatusJSON,
  SessionSummary,
  StreamList,
  StreamOverview,
  StreamSummary,
  StreamValues,
  UiInfo,
  WorkflowGraphModel,
  WorkflowList,
  WorkflowSummary,
} from './ui/api-types.js';
export { formatWorkflowGraph, GRAPH_FORMATS } from './ui/graph-text.js';
export type { GraphFormat } from './ui/graph-text.js';
