import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load-config.js';
import { WorkflowNotFoundError } from '../../../src/errors.js';
import type { OnlineWorkflowSource } from '../../../src/config/online-from-config.js';
import {
  backoffFromConfig,
  onlineWorkflowsFromConfig,
} from '../../../src/config/online-from-config.js';
import { TimeInterval } from '../../../src/time/time-interval.js';

function workflows(...specs: [string, boolean][]) {
  const calls: [string, TimeInterval][] = [];
  const list: OnlineWorkflowSource[] = specs.map(([id, online]) => ({
    id,
    online,
    execute: async (interval) => void calls.push([id, interval]),
  }));
  return {
    calls,
    list: () => list,
    get: (id: string) => {
      const found = list.find((w) => w.id === id);
      if (!found) throw new WorkflowNotFoundError(`workflow "${id}" not found`);
      return found;
    },
  };
}

const online = (section: unknown) =>
  resolveConfig({ online: section }, { file: undefined, baseDir: '/srv' }).online;

describe('onlineWorkflowsFromConfig', () => {
  it('builds schedules, windows and retry policies from the config, then adds flagged workflows', async () => {
    const source = workflows(
      ['ingest', false],
      ['daily', false],
      ['flagged', true],
      ['offline', false],
    );
    const config = online({
      retry: { policy: 'linear', delay: 'PT2S', ceiling: 'PT10S', maxRetries: 4 },
      workflows: [
        { workflow: 'ingest', every: 'PT10S', window: '-PT60S/-PT10S', iterations: 5 },
        {
          workflow: 'daily',
          cron: '0 3 * * *',
          timeZone: 'Europe/London',
          window: '-P1D/PT0S',
          retry: { policy: 'constant', delay: 'PT30S', maxRetries: 1 },
        },
      ],
    });
    const built = onlineWorkflowsFromConfig(config, source);
    expect(
      built.map((w) => [w.target.id, w.schedule.description, w.window.toString(), w.iterations]),
    ).toEqual([
      ['ingest', 'every 10 s', '(-60s, -10s]', 5],
      ['daily', 'cron "0 3 * * *" (Europe/London)', '(-86400s, +0s]', undefined],
      ['flagged', 'every 5 s', '(-60s, -10s]', undefined],
    ]);
    expect(built[0]!.retry).toEqual({
      policy: 'linear',
      delay: 2000,
      factor: 2,
      ceiling: 10_000,
      maxRetries: 4,
      jitter: 'equal',
    });
    expect(built[1]!.retry).toEqual({
      policy: 'constant',
      delay: 30_000,
      factor: 2,
      maxRetries: 1,
      jitter: 'equal',
    });
    expect(built[1]!.schedule.next(Date.parse('2026-07-01T00:00:00Z'))).toBe(
      Date.parse('2026-07-01T02:00:00Z'),
    );
    // The target runs the workflow.
    await built[0]!.target.execute(new TimeInterval(0, 10), {
      signal: new AbortController().signal,
    });
    expect(source.calls).toEqual([['ingest', new TimeInterval(0, 10)]]);
  });

  it('narrows to some workflows, overrides iterations and resumes where a run left off', () => {
    const source = workflows(['a', true], ['b', true]);
    const built = onlineWorkflowsFromConfig(online({}), source, {
      only: ['b'],
      iterations: 3,
      resumeFrom: new Map([['b', 42]]),
    });
    expect(built.map((w) => [w.target.id, w.iterations, w.resumeFrom, w.retry])).toEqual([
      // No retry section: the defaults, with jitter so services do not retry in lockstep.
      [
        'b',
        3,
        42,
        { policy: 'exponential', delay: 1000, factor: 2, maxRetries: 3, jitter: 'equal' },
      ],
    ]);
  });

  it('fails on a configured workflow that does not exist', () => {
    const config = online({ workflows: [{ workflow: 'ghost', every: 'PT1S' }] });
    expect(() => onlineWorkflowsFromConfig(config, workflows())).toThrow(WorkflowNotFoundError);
  });

  it('converts retry durations to milliseconds', () => {
    expect(
      backoffFromConfig({
        policy: 'exponential',
        delay: 'PT0.5S',
        factor: 3,
        floor: 'PT1S',
        ceiling: 'PT1M',
        maxRetries: 2,
        jitter: 'full',
      }),
    ).toEqual({
      policy: 'exponential',
      delay: 500,
      factor: 3,
      floor: 1000,
      ceiling: 60_000,
      maxRetries: 2,
      jitter: 'full',
    });
  });
});
