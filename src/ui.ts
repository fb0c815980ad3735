// The `hyperstream-ts/ui` entry point: the local web view (an HTTP server and its page) and the
// workflow graph as pictures and text, kept out of the main entry so that using the engine never
// loads them.
export { startUi, DEFAULT_UI_PORT, UI_ASSETS_DIR } from './ui/server.js';
export type { UiOptions, UiServer } from './ui/server.js';
export { workflowGraphModel } from './ui/graph-model.js';
export type {
  WorkflowGraphModel,
  GraphNode,
  GraphFactor,
  GraphEdge,
  PlateBox,
} from './ui/graph-model.js';
export { formatWorkflowGraph, GRAPH_FORMATS } from './ui/graph-text.js';
export type { GraphFormat } from './ui/graph-text.js';
