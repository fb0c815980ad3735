import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, pathParam, withBaseDir } from '../../../src/tools/tool.js';

const reader = defineTool({
  name: 'reader',
  version: '1.0.0',
  kind: 'tool',
  params: z.strictObject({
    path: pathParam('the file'),
    other: pathParam('another file').optional(),
    template: pathParam(
      'files',
      z.string().refine((t) => t.includes('{}'), 'needs {}'),
    ),
    label: z.string().default('x'),
  }),
  async *execute() {},
});

describe('pathParam and withBaseDir', () => {
  it('resolves relative path parameters against the base folder, into the identity', () => {
    const bound = withBaseDir(reader, '/srv/project');
    const tool = bound.create({
      path: 'data/a.csv',
      other: '../b.csv',
      template: 'in/{}.csv',
      label: 'rel/x',
    });
    expect(tool.params).toEqual({
      path: '/srv/project/data/a.csv',
      other: '/srv/b.csv',
      template: '/srv/project/in/{}.csv',
      label: 'rel/x', // not a path parameter
    });
    expect(tool.identity).toContain('"/srv/project/data/a.csv"');
    expect(tool.definition).toBe(bound);
    // Absolute paths are kept; a stored definition round-trips unchanged.
    expect(bound.create(tool.toJSON().params as never).identity).toBe(tool.identity);
    expect(bound.create({ path: '/abs/c.csv', template: '{}' }).params.path).toBe('/abs/c.csv');
  });

  it('leaves paths alone without a base folder, and still validates', () => {
    expect(reader.create({ path: 'data/a.csv', template: '{}' }).params.path).toBe('data/a.csv');
    expect(() => withBaseDir(reader, '/srv').create({ path: 'a', template: 'no' })).toThrow(
      /needs \{\}/,
    );
    expect(reader.describe().parameters).toMatchObject({
      properties: { path: { type: 'string', description: 'the file' } },
    });
  });
});
