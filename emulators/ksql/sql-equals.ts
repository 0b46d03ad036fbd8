/** Java's equals on ksqlDB values (IN lists, COLLECT_SET, = on ARRAY/MAP/STRUCT): lists, maps, structs by content. */
export function sqlEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => sqlEquals(x, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sqlEquals(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return (
    ka.length === Object.keys(bo).length &&
    ka.every((k) => sqlEquals((a as Record<string, unknown>)[k], bo[k]))
  );
}
