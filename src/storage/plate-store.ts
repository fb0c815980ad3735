import { z } from 'zod';
import { MetaDataError } from '../errors.js';

const plateFilterSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({
    kind: z.literal('include'),
    values: z.array(z.string().min(1)).min(1).readonly(),
  }),
  z.strictObject({ kind: z.literal('exclude'), values: z.array(z.string().min(1)).readonly() }),
]);

/** Zod schema of a stored plate definition. */
export const plateConfigSchema = z.strictObject({
  id: z.string().min(1),
  metaKey: z.string().min(1),
  parent: z.string().min(1).optional(),
  filter: plateFilterSchema,
  description: z.string().optional(),
});

/** Which values of the meta-data key a plate takes. */
export type PlateFilter = z.infer<typeof plateFilterSchema>;
/** A plate as stored: plain JSON. */
export type PlateConfig = z.infer<typeof plateConfigSchema>;

/** Where plate definitions are persisted. */
export interface PlateStore {
  load(): Promise<PlateConfig[]>;
  save(plate: PlateConfig): Promise<void>;
  delete(id: string): Promise<void>;
  /** Releases what the store holds (a database client it owns); optional. */
  close?(): Promise<void>;
}

/** Parses stored plate definitions with zod; `MetaDataError` naming the bad plate. */
export function parsePlateConfigs(raw: readonly unknown[]): PlateConfig[] {
  return raw.map((item, index) => {
    const result = plateConfigSchema.safeParse(item);
    if (!result.success) {
      throw new MetaDataError(
        `stored plate definition ${index} is invalid: ${z.prettifyError(result.error)}`,
        { index },
      );
    }
    return result.data;
  });
}
