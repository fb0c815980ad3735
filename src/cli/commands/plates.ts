import { z } from 'zod';
import { formatPlateValue } from '../../plates/plate.js';
import { defineCommand, positionals } from '../args.js';

export const platesListCommand = defineCommand({
  name: 'plates list',
  summary: 'List the plates: meta-data key, parent plate, filter and number of values.',
  usage: 'plates list',
  schema: z.strictObject({ positionals: positionals() }),
  async run(_args, ctx) {
    const { engine } = await ctx.workspace();
    const rows = engine.plates.listPlates().map((plate) => ({
      id: plate.id,
      metaKey: plate.metaKey,
      parent: plate.parent?.id ?? '',
      filter:
        plate.filter.kind === 'all'
          ? 'all'
          : `${plate.filter.kind} ${plate.filter.values.join(', ')}`,
      values: plate.values().length,
      description: plate.description,
    }));
    ctx.output.rows(
      rows,
      ['id', 'metaKey', 'parent', 'filter', 'values', 'description'],
      '(no plates)',
    );
  },
});

export const platesShowCommand = defineCommand({
  name: 'plates show',
  summary: "Show a plate and its current values (each with its ancestors' meta-data).",
  usage: 'plates show <plate>',
  positionals: [{ name: '<plate>', description: 'plate id' }],
  schema: z.strictObject({ positionals: positionals('plate') }),
  async run(args, ctx) {
    const { engine } = await ctx.workspace();
    const plate = engine.plates.getPlate(args.positionals[0]);
    const values = plate.values();
    if (ctx.output.json) {
      ctx.output.data({ ...plate.toConfig(), values: values.map((v) => Object.fromEntries(v)) });
      return;
    }
    ctx.output.line(
      `plate ${plate.id}: meta-data key "${plate.metaKey}"${plate.parent ? `, parent plate ${plate.parent.id}` : ''}`,
    );
    if (plate.description) ctx.output.line(plate.description);
    ctx.output.line('');
    ctx.output.rows(
      values.map((v) => ({ value: formatPlateValue(v) })),
      ['value'],
      '(no values)',
    );
  },
});
