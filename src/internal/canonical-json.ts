/**
 * JSON with object keys sorted at every level, so equal values always give equal strings (the
 * basis of tool identity). `replacer` may turn non-JSON values (functions) into JSON first.
 */
export function canonicalJson(value: unknown, replacer?: (value: unknown) => unknown): string {
  return JSON.stringify(sortKeys(value, replacer));
}

function sortKeys(value: unknown, replacer?: (value: unknown) => unknown): unknown {
  const replaced = replacer ? replacer(value) : value;
  if (Array.isArray(replaced)) return replaced.map((item) => sortKeys(item, replacer));
  if (replaced !== null && typeof replaced === 'object') {
    const source = replaced as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      if (source[key] !== undefined) out[key] = sortKeys(source[key], replacer);
    }
    return out;
  }
  return replaced;
}
