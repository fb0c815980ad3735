import { z } from 'zod';
import type { TaggedBatch } from 'hyperstream-ts';
import {
  ToolExecutionError,
  batchToInstances,
  defineTool,
  fieldColumn,
  makeBatch,
  objectColumn,
  structColumn,
} from 'hyperstream-ts';
import {
  keyTargets,
  mappingLookup,
  Partitioner,
  requireSource,
  splitByElement,
  splitDictInstances,
  PlateValueClaims,
  throwIfAborted,
} from 'hyperstream-ts/toolkit';

export default defineTool({
  name: 'splitter',
  version: '1.0.0',
  kind: 'multi-output',
  description:
    'Sends each dict value, without `element`, to the plate value that value[element] maps to; unmapped values and plate values outside the output plate are skipped',
  params: z.strictObject({
    element: z
      .string()
      .min(1)
      .describe('the key whose value picks the output plate value; it is removed from the output'),
    mapping: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        'String(value[element]) → plate value (default: String(value[element]) itself); values not in it are skipped',
      ),
  }),
  async *execute(ctx) {
    const source = requireSource(ctx.source, 'splitter');
    if (ctx.splitting) {
      throw new ToolExecutionError(
        'tool "splitter" takes its mapping as a parameter: remove the splitting node or use splitter_from_stream',
        { tool: 'splitter' },
      );
    }
    const { element, mapping } = ctx.params;
    const lookup = mappingLookup(mapping);
    const plateValues = ctx.outputPlateValues;
    const allowed = new Set(plateValues);
    const claims = new PlateValueClaims('splitter');
    const targetOf = new Map(plateValues.map((value, k) => [value, k]));
    const target = (key: unknown): number => {
      const plateValue = lookup(String(key));
      return plateValue === undefined ? -1 : (targetOf.get(plateValue) ?? -1);
    };
    // Rows go to one builder per plate value, handed on in batches of thousands of rows.
    const partitioner = new Partitioner(plateValues.length);
    let scratch: Int32Array | undefined;
    for await (const batch of source.view.columns()) {
      throwIfAborted(ctx, 'splitter');
      const values = batch.values;
      if (values.type !== 'struct') {
        // Values that are not all dicts of one shape: split them one by one (after what the
        // partitioner holds, so each plate value's rows stay in time order).
        for (const [k, part] of partitioner.flush()) {
          yield { ...part, plateValue: plateValues[k]! } satisfies TaggedBatch;
        }
        const out = splitDictInstances(
          'splitter',
          source.id.key,
          batchToInstances(batch),
          allowed,
          claims,
          (value, _timestamp, emit) => splitByElement(value, element, lookup, emit),
        );
        if (out.length > 0) yield out;
        continue;
      }
      const at = values.fields.indexOf(element);
      if (at < 0) continue; // no value has the element: nothing goes anywhere
      // Every row has the element: partition by its column, the other fields go on as they are.
      const rest =
        values.fields.length === 1
          ? objectColumn(Array.from({ length: batch.length }, () => ({})))
          : structColumn(
              Object.fromEntries(
                values.fields.flatMap((name, k) => (k === at ? [] : [[name, values.columns[k]!]])),
              ),
            );
      const rows = makeBatch(batch.timestamps, rest);
      if (!scratch || scratch.length < batch.length) {
        scratch = new Int32Array(Math.max(batch.length, 65_536));
      }
      const targets = keyTargets(fieldColumn(values, element), target, scratch);
      for (const [k, part] of partitioner.add(rows, targets)) {
        yield { ...part, plateValue: plateValues[k]! } satisfies TaggedBatch;
      }
    }
    for (const [k, part] of partitioner.flush()) {
      yield { ...part, plateValue: plateValues[k]! } satisfies TaggedBatch;
    }
  },
});
