// Shared checks and generators for the bad-input property tests: every input either works or
// raises a typed HyperstreamError with a useful message — never another exception type.
import fc from 'fast-check';
import type { HyperstreamError } from '../../../src/errors.js';
import { ErrorCode, isHyperstreamError } from '../../../src/errors.js';

/** At least 10,000 generated cases per property (the reliability issue's bar). */
export const RUNS = 10_000;

const CODES = new Set<string>(Object.values(ErrorCode));

/** An error class, matched by name so errors from another copy of the package count too. */
type ErrorClass = abstract new (...args: never[]) => HyperstreamError;

/** What a call did: its value, or the typed error it raised. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: HyperstreamError };

/**
 * Throws (failing the property) unless `error` is a HyperstreamError of one of `allowed`, with a
 * known code and a non-empty sentence-case message that, when given, quotes `input`.
 */
export function checkTypedError(
  error: unknown,
  allowed: readonly ErrorClass[],
  input?: string,
): HyperstreamError {
  if (!isHyperstreamError(error)) {
    throw new Error(`not a HyperstreamError: ${describeThrown(error)}`, { cause: error });
  }
  if (!allowed.some((cls) => error instanceof cls)) {
    throw new Error(
      `${error.name} (${error.code}) is not one of ${allowed.map((c) => c.name).join(', ')}: ${error.message}`,
      { cause: error },
    );
  }
  if (!CODES.has(error.code)) throw new Error(`unknown error code ${String(error.code)}`);
  if (error.message.trim() === '') throw new Error(`${error.name} with an empty message`);
  if (/^[A-Z][a-z]/.test(error.message)) {
    throw new Error(`message is not sentence case (starts with a capital): ${error.message}`);
  }
  if (input !== undefined && !mentions(error.message, input)) {
    throw new Error(`message does not quote the input ${JSON.stringify(input)}: ${error.message}`);
  }
  return error;
}

/** Runs `call`; returns its value or its typed error (see {@link checkTypedError}). */
export function outcome<T>(
  call: () => T,
  allowed: readonly ErrorClass[],
  input?: string,
): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error: checkTypedError(error, allowed, input) };
  }
}

/** {@link outcome} for async calls. */
export async function outcomeAsync<T>(
  call: () => Promise<T>,
  allowed: readonly ErrorClass[],
  input?: string,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: checkTypedError(error, allowed, input) };
  }
}

/** True when `message` holds `input` as written or JSON-escaped (control characters, quotes). */
function mentions(message: string, input: string): boolean {
  return message.includes(input) || message.includes(JSON.stringify(input).slice(1, -1));
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `${typeof error} ${String(error)}`;
}

/**
 * Strings that are often near-valid: random text mixed with fragments of the grammar under test
 * (`fragments`), so mutations of valid inputs are explored, not only noise.
 */
export function nearValid(
  valid: fc.Arbitrary<string>,
  fragments: readonly string[],
): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...fragments) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: 'binary' }) },
  );
  const glued = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
  return fc.oneof(
    valid,
    glued,
    fc.string({ maxLength: 40 }),
    mutate(valid, piece),
    mutate(valid, piece),
  );
}

/** A valid string with a slice replaced, a piece inserted, or a character dropped. */
function mutate(valid: fc.Arbitrary<string>, piece: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, piece, fc.nat(), fc.nat({ max: 4 }), fc.constantFrom('replace', 'drop', 'case'))
    .map(([text, inserted, at, length, how]) => {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
      if (how === 'case') return text.slice(0, i) + text.slice(i).toLowerCase();
      return text.slice(0, i) + inserted + text.slice(i + length);
    });
}

/** Any JavaScript value a caller might pass by mistake where a string or number is expected. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    1e300,
    -1e300,
    0.5,
    null,
    undefined,
    true,
    '',
    ' ',
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.string({ maxLength: 20 }),
  fc.date({ noInvalidDate: false }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(Symbol('odd')),
  fc.constant(() => 1),
);

/** Epoch milliseconds within the engine's range (0001 … 9999). */
export const inRangeTimestamp = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });

/** A place in a JSON document: keys and array indexes from the top. */
export type JsonPath = readonly (string | number)[];

/** A mutated copy of a valid document and where it was changed. */
export interface Mutation {
  readonly value: unknown;
  readonly paths: readonly JsonPath[];
}

/**
 * One to three random edits of a valid JSON document: a value replaced (by random JSON, or by one
 * of its own type: another string of the document, which breaks or crosses references, another
 * number), a key or element removed, an unknown key added, an element duplicated.
 */
export function mutations(base: unknown): fc.Arbitrary<Mutation> {
  const paths = allPaths(base);
  const strings = [...new Set(paths.map((p) => at(base, p)).filter((v) => typeof v === 'string'))];
  const edit = fc.record(
    {
      path: fc.constantFrom(...paths),
      // Mostly edits that keep the shape, so the checks after the schema run too.
      action: fc.constantFrom(
        'similar',
        'similar',
        'similar',
        'replace',
        'remove',
        'add',
        'duplicate',
      ),
      json: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', -1, 0, 1.5, null, [], {})),
      text: fc.constantFrom(...(strings.length ? strings : [''])),
      int: fc.integer({ min: -2, max: 100_000 }),
      key: fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('$where', 'a.b', '__proto__')),
    },
    { noNullPrototype: true },
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let value: unknown = structuredClone(base);
    for (const e of edits) {
      // A copy: constantFrom hands out the same [] and {} to every run, and code under test may freeze them.
      const replacement = structuredClone(
        e.action === 'similar' ? similar(at(value, e.path), e) : e.json,
      );
      value = applyEdit(value, e.path, e.action, replacement, e.key);
    }
    return { value, paths: edits.map((e) => e.path) };
  });
}

/** A value of the same type: another string of the document (a broken or crossed reference), another number. */
function similar(original: unknown, e: { text: string; int: number; json: unknown }): unknown {
  if (typeof original === 'string') return e.text;
  if (typeof original === 'number') return e.int;
  if (typeof original === 'boolean') return !original;
  return e.json;
}

function allPaths(value: unknown, path: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...allPaths(v, [...path, i])));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...allPaths(v, [...path, k]));
  }
  return out;
}

function at(value: unknown, path: JsonPath): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function applyEdit(
  root: unknown,
  path: JsonPath,
  action: string,
  replacement: unknown,
  key: string,
): unknown {
  if (path.length === 0) return action === 'remove' ? undefined : replacement;
  const parent = at(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  // An earlier edit may have changed the shape: then this one does nothing.
  if (typeof parent !== 'object' || parent === null) return root;
  const target = parent as Record<string | number, unknown>;
  if (!(last in target)) return root;
  switch (action) {
    case 'remove':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete target[last];
      break;
    case 'add': {
      const node = target[last];
      if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
        Object.defineProperty(node, key, { value: replacement, enumerable: true, writable: true });
      } else target[last] = replacement;
      break;
    }
    case 'duplicate':
      if (Array.isArray(parent))
        parent.splice(Number(last), 0, structuredClone(parent[Number(last)]));
      else target[last] = replacement;
      break;
    default:
      target[last] = replacement;
  }
  return root;
}
