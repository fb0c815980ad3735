// Bad input to workflow definitions (JSON): random JSON and random edits of a valid definition
// either load or give WorkflowDefinitionError naming where the definition is wrong.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { WorkflowDefinitionError } from '../../../src/errors.js';
import { MemoryToolSource as ToolRegistry } from '../../../src/tools/tool-source.js';
import type { WorkflowDefinition } from '../../../src/workflow/definition.js';
import { parseWorkflowDefinition } from '../../../src/workflow/definition.js';
import { Workflow } from '../../../src/workflow/workflow.js';
import { fanout, mean, pick, platesFromList, scale, ticker } from '../../helpers/workflow-tools.js';
import { RUNS, mutations, outcome, outcomeAsync } from './typed-error.js';

const tools = new ToolRegistry([ticker, scale, fanout, mean, pick, platesFromList]);
let engine: Engine;
let valid: WorkflowDefinition;

/** A workflow with a factor of every kind over nested plates: the base of the edits. */
async function everyKind(): Promise<WorkflowDefinition> {
  const w = engine.workflow('every_kind', { name: 'Every kind', owner: 'tests' });
  const world = w.node('world');
  const houseMean = w.node('house_mean', { plates: ['H'] });
  const perResident = w.node('per_resident', { plates: ['H.R'] });
  const perHouse = w.node('per_house', { plates: ['H'] });
  const ticks = w.node('ticks');
  w.factor({ tool: ticker.create({ stride: 1000 }), sink: ticks, id: 'clock' });
  w.factor({
    tool: scale.create({ factor: 2 }),
    sources: [ticks],
    alignment: ticks,
    sink: w.node('doubled'),
  });
  w.multiOutputFactor({ tool: fanout.create({}), source: ticks, splitting: ticks, sink: perHouse });
  w.multiOutputFactor({
    tool: fanout.create({}),
    source: perHouse,
    sink: perResident,
    maxPieceSize: 'PT6H',
  });
  w.aggregateFactor({
    tool: mean.create({}),
    sources: [perResident],
    sink: houseMean,
    aggregationMetaKey: 'resident',
  });
  w.aggregateFactor({ tool: mean.create({}), sources: [houseMean], sink: world });
  w.selectorFactor({
    tool: pick.create({ value: 'A' }),
    sources: [perResident],
    sink: w.node('resident_a', { plates: ['H'] }),
  });
  await w.plateCreationFactor({
    tool: platesFromList.create({}),
    source: w.node('names'),
    outputPlate: { id: 'N', metaKey: 'name', description: 'names' },
  });
  return JSON.parse(JSON.stringify(w.toDefinition())) as WorkflowDefinition;
}

beforeAll(async () => {
  engine = await Engine.create({ tools });
  for (const house of ['1', '2']) {
    await engine.plates.addMetaData([], 'house', house);
    for (const r of ['A', 'B']) await engine.plates.addMetaData([['house', house]], 'resident', r);
  }
  await engine.plates.createPlate({ id: 'H', metaKey: 'house' });
  await engine.plates.createPlate({ id: 'H.R', metaKey: 'resident', parent: 'H', exclude: ['B'] });
  valid = await everyKind();
});
afterAll(async () => {
  await engine.close();
});

/** The definition's top-level keys: a useful message names where (`factors.3`, `nodes.0.channel`…). */
const WHERE = /\b(?:format|id|name|description|owner|online|plates|nodes|factors)\b|\(root\)/;

describe('workflow definitions (bad input)', { timeout: 60_000 }, () => {
  it('the valid definition loads and gives itself back (the base of the edits)', async () => {
    const fresh = await Engine.create({ tools });
    const rebuilt = await Workflow.fromDefinition(valid, {
      environment: fresh.environment,
      toolResolver: tools,
    });
    expect(rebuilt.toDefinition()).toEqual(valid);
    await fresh.close();
  });

  it('parseWorkflowDefinition: any JSON value parses or gives WorkflowDefinitionError naming a path', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 })), (json) => {
        const result = outcome(() => parseWorkflowDefinition(json), [WorkflowDefinitionError]);
        if (!result.ok) expect(result.error.message).toMatch(WHERE);
      }),
      { numRuns: RUNS },
    );
  });

  it('Workflow.fromDefinition: an edited definition loads or gives WorkflowDefinitionError naming where', async () => {
    // One engine for all runs, like a long-lived process loading many definitions: plates created
    // by an accepted edit stay, and must not turn later loads into other errors.
    const fresh = await Engine.create({ tools });
    await fc.assert(
      fc.asyncProperty(mutations(valid), async ({ value }) => {
        const result = await outcomeAsync(
          async () =>
            await Workflow.fromDefinition(value, {
              environment: fresh.environment,
              toolResolver: tools,
            }),
          [WorkflowDefinitionError],
        );
        if (!result.ok) {
          expect(result.error.message).toMatch(WHERE);
          return;
        }
        // What loads is a definition again: saving it gives JSON that loads to the same workflow.
        const again = result.value.toDefinition();
        expect(parseWorkflowDefinition(JSON.parse(JSON.stringify(again)))).toEqual(again);
      }),
      { numRuns: RUNS },
    );
    await fresh.close();
  });
});
