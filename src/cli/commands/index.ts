import type { Command } from '../args.js';
import { channelsListCommand } from './channels.js';
import { completionCommand } from './completion.js';
import { graphCommand } from './graph.js';
import {
  onlineListCommand,
  onlineRestartCommand,
  onlineStartCommand,
  onlineStatusCommand,
  onlineStopCommand,
} from './online.js';
import { platesListCommand, platesShowCommand } from './plates.js';
import { streamProvenanceCommand } from './provenance.js';
import { purgeCommand } from './purge.js';
import {
  queueCancelCommand,
  queueFailedCommand,
  queuePauseCommand,
  queueResumeCommand,
  queueRetryCommand,
  queueStatusCommand,
  workerCommand,
} from './queue.js';
import { runCommand } from './run.js';
import { sessionsListCommand, sessionsShowCommand } from './sessions.js';
import {
  streamExportCommand,
  streamImportCommand,
  streamIntervalsCommand,
  streamShowCommand,
  streamsListCommand,
} from './streams.js';
import { toolsDescribeCommand, toolsListCommand } from './tools.js';
import { uiCommand } from './ui.js';
import {
  workflowsDeleteCommand,
  workflowsListCommand,
  workflowsShowCommand,
  workflowsValidateCommand,
} from './workflows.js';

/** Every command, in the order `hyperstream --help` lists them. */
export const COMMANDS: readonly Command[] = [
  runCommand,
  workflowsListCommand,
  workflowsShowCommand,
  workflowsValidateCommand,
  workflowsDeleteCommand,
  graphCommand,
  toolsListCommand,
  toolsDescribeCommand,
  platesListCommand,
  platesShowCommand,
  channelsListCommand,
  streamsListCommand,
  streamShowCommand,
  streamIntervalsCommand,
  streamProvenanceCommand,
  streamExportCommand,
  streamImportCommand,
  purgeCommand,
  sessionsListCommand,
  sessionsShowCommand,
  onlineStartCommand,
  onlineStopCommand,
  onlineRestartCommand,
  onlineStatusCommand,
  onlineListCommand,
  workerCommand,
  queueStatusCommand,
  queueFailedCommand,
  queueRetryCommand,
  queueCancelCommand,
  queuePauseCommand,
  queueResumeCommand,
  uiCommand,
];

/** Every command, with `completion` (whose script lists all of them). */
export const ALL_COMMANDS: readonly Command[] = [
  ...COMMANDS,
  completionCommand(() => ALL_COMMANDS),
];
