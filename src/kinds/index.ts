// The registry of factor kinds: the one place that lists them. Everything else asks a factor's
// kind (`kindOf`) what to do, so a new kind is one module here and nothing else.

import { z } from 'zod';
import type { AggregateFactor } from './aggregate.js';
import { aggregateDefinitionSchema, aggregateKind } from './aggregate.js';
import type { FactorBase, FactorKind } from './kind.js';
import type { MultiOutputFactor } from './multi-output.js';
import { multiOutputDefinitionSchema, multiOutputKind } from './multi-output.js';
import type { PlainFactor } from './plain.js';
import { plainDefinitionSchema, plainKind } from './plain.js';
import type { PlateCreationFactor } from './plate-creation.js';
import { plateCreationDefinitionSchema, plateCreationKind } from './plate-creation.js';
import type { SelectorFactor } from './selector.js';
import { selectorDefinitionSchema, selectorKind } from './selector.js';

/** Any factor of a workflow. */
export type Factor =
  PlainFactor | MultiOutputFactor | AggregateFactor | SelectorFactor | PlateCreationFactor;

/** Zod schema of a factor in a workflow definition: one entry per kind, by `kind`. */
export const factorDefinitionSchema = z.discriminatedUnion('kind', [
  plainDefinitionSchema,
  multiOutputDefinitionSchema,
  aggregateDefinitionSchema,
  selectorDefinitionSchema,
  plateCreationDefinitionSchema,
]);

/** A factor as plain JSON. */
export type FactorDefinition = z.infer<typeof factorDefinitionSchema>;

// Each kind's methods take its own factor and tool types; the registry hands a kind only factors
// (and definitions) of that kind, looked up by `factor.kind`, so widening them is sound.
const KINDS = [
  plainKind,
  multiOutputKind,
  aggregateKind,
  selectorKind,
  plateCreationKind,
] as readonly unknown[] as readonly FactorKind[];

const BY_NAME = new Map<string, FactorKind>(KINDS.map((kind) => [kind.name, kind]));

/** The kind of a factor. */
export function kindOf(factor: FactorBase): FactorKind {
  return BY_NAME.get(factor.kind)!;
}

/** The kind with that name (a tool kind), if any. */
export function factorKindNamed(name: string): FactorKind | undefined {
  return BY_NAME.get(name);
}

/** Every registered kind. */
export function factorKinds(): readonly FactorKind[] {
  return KINDS;
}
