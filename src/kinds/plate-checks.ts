import { PlateMismatchError } from '../errors.js';
import type { Plate } from '../plates/plate.js';
import type { Node } from './node.js';

// Plate compatibility of factors: each check throws PlateMismatchError saying which plates would fit.

function keyList(keys: Iterable<string>): string {
  const list = [...keys];
  return list.length ? list.join(', ') : 'none';
}

function missing(from: ReadonlySet<string>, inside: ReadonlySet<string>): string[] {
  return [...from].filter((key) => !inside.has(key));
}

/**
 * A plain tool's sources and alignment must be on the sink's plates or fewer (a source on `C`
 * feeds a sink on `C.C`: every city of a country reads the country's stream).
 */
export function checkPlainPlates(
  factorId: string,
  inputs: readonly Node[],
  sink: Node,
  role = 'source',
): void {
  for (const input of inputs) {
    const extra = missing(input.keys, sink.keys);
    if (extra.length) {
      throw new PlateMismatchError(
        `factor "${factorId}": ${role} node ${input.describe()} has meta-data ${keyList(extra)} that sink node ` +
          `${sink.describe()} lacks; a plain tool's inputs must be on the sink's plates or their ancestors: ` +
          `put the sink on [${input.plates.map((p) => p.id).join(', ')}] too, or use an aggregate tool to drop ${keyList(extra)}`,
        { factor: factorId, input: input.id, sink: sink.id, extraKeys: extra },
      );
    }
  }
}

/**
 * Aggregates and selectors drop exactly one meta-data key: each source's keys are the sink's plus
 * that key. Returns the key (inferred when not given).
 */
export function checkDroppedKey(
  factorId: string,
  kind: 'aggregate' | 'selector',
  sources: readonly Node[],
  sink: Node,
  given: string | undefined,
): string {
  if (sources.length === 0) {
    throw new PlateMismatchError(
      `factor "${factorId}": an ${kind} factor needs at least one source node`,
      {
        factor: factorId,
      },
    );
  }
  let key = given;
  for (const source of sources) {
    const extraOnSink = missing(sink.keys, source.keys);
    const dropped = missing(source.keys, sink.keys);
    if (extraOnSink.length || dropped.length !== 1 || (key !== undefined && dropped[0] !== key)) {
      const expected = key ?? 'one meta-data key';
      throw new PlateMismatchError(
        `factor "${factorId}": an ${kind} tool goes from the source's plates to plates without ${expected}, ` +
          `but source ${source.describe()} has meta-data ${keyList(source.keys)} and sink ${sink.describe()} has ` +
          `${keyList(sink.keys)}: put the sink on the parent plate of the aggregated plate` +
          (source.plates.length ? ` (e.g. ${parentPlatesHint(source, key)})` : ''),
        { factor: factorId, source: source.id, sink: sink.id },
      );
    }
    key = dropped[0];
  }
  return key!;
}

function parentPlatesHint(source: Node, key: string | undefined): string {
  const hint = source.plates.map((plate) =>
    key === undefined || plate.metaKey === key ? (plate.parent?.id ?? 'no plate') : plate.id,
  );
  return `[${[...new Set(hint)].filter((id) => id !== 'no plate').join(', ')}]`;
}

/** A multi-output factor adds exactly one key: the output plate's. Returns that plate. */
export function checkMultiOutputPlates(
  factorId: string,
  source: Node | undefined,
  splitting: Node | undefined,
  sink: Node,
): Plate {
  const inputKeys = source?.keys ?? new Set<string>();
  const notOnSink = missing(inputKeys, sink.keys);
  const added = missing(sink.keys, inputKeys);
  if (notOnSink.length || added.length !== 1) {
    throw new PlateMismatchError(
      `factor "${factorId}": a multi-output tool splits its source onto one new plate, so the sink's meta-data must be ` +
        `the source's plus one key; source ${source ? source.describe() : '(none)'} has ${keyList(inputKeys)}, ` +
        `sink ${sink.describe()} has ${keyList(sink.keys)}`,
      { factor: factorId, sink: sink.id },
    );
  }
  const outputPlate = sink.plates.find((plate) => plate.metaKey === added[0]);
  const parentKeys = outputPlate?.parent ? outputPlate.parent.keys : [];
  if (!outputPlate || parentKeys.some((key) => !inputKeys.has(key))) {
    throw new PlateMismatchError(
      `factor "${factorId}": the output plate for "${added[0]}" must have the source's plate as its parent ` +
        `(e.g. C.C under C), but source ${source ? source.describe() : '(none)'} does not cover ${keyList(parentKeys)}`,
      { factor: factorId, sink: sink.id },
    );
  }
  const splittingExtra = splitting ? missing(splitting.keys, inputKeys) : [];
  if (splitting && splittingExtra.length) {
    throw new PlateMismatchError(
      `factor "${factorId}": splitting node ${splitting.describe()} has meta-data ${keyList(splittingExtra)} that ` +
        `the source ${source ? source.describe() : '(none)'} lacks: split with a node on the source's plates or their ancestors`,
      { factor: factorId, splitting: splitting.id },
    );
  }
  return outputPlate;
}

/** A plate-creation factor's source must be on the parent plate of the new plate (or fewer). */
export function checkPlateCreationPlates(
  factorId: string,
  source: Node | undefined,
  outputPlate: Plate,
): void {
  if (!source) return;
  const parentKeys = new Set(outputPlate.parent?.keys ?? []);
  const extra = missing(source.keys, parentKeys);
  if (extra.length) {
    throw new PlateMismatchError(
      `factor "${factorId}": source ${source.describe()} has meta-data ${keyList(extra)} but new values of plate ` +
        `"${outputPlate.id}" are added under ${outputPlate.parent ? `plate "${outputPlate.parent.id}"` : 'the root'}: ` +
        `read from a node on the parent plate`,
      { factor: factorId, source: source.id, plate: outputPlate.id },
    );
  }
}
