/** Descriptive fields of a workflow. */
export interface WorkflowInfo {
  readonly name?: string;
  readonly description?: string;
  readonly owner?: string;
  /** Executed by the online engine. */
  readonly online?: boolean;
}
