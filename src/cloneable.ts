/**
 * Finds what structured clone would refuse, so that a bad argument is reported at the call site
 * with its position instead of surfacing as an anonymous `DataCloneError` from deep in the pool.
 * Cheap for the common case (primitives, small plain objects); big typed arrays cost nothing.
 */

const REFUSED_TAGS = new Set(['[object WeakMap]', '[object WeakSet]', '[object WeakRef]', '[object Promise]', '[object Generator]']);

/** A description such as ``a function at `[1].onDone` `` of the first uncloneable part, else undefined. */
export function findUncloneable(value: unknown, where = ''): string | undefined {
  return visit(value, where, new Set(), 0);
}

function visit(value: unknown, where: string, seen: Set<object>, depth: number): string | undefined {
  const type = typeof value;
  if (type === 'function') return where === '' ? 'it is a function' : `a function at \`${where}\``;
  if (type === 'symbol') return where === '' ? 'it is a symbol' : `a symbol at \`${where}\``;
  if (type !== 'object' || value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return undefined;
  seen.add(object);
  if (depth > 200) return viaClone(object, where);
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return undefined;
  const tag = Object.prototype.toString.call(object);
  if (REFUSED_TAGS.has(tag)) return where === '' ? `it is a ${tag.slice(8, -1)}` : `a ${tag.slice(8, -1)} at \`${where}\``;
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) {
      const found = visit((object as unknown[])[i], `${where}[${String(i)}]`, seen, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (object instanceof Map) {
    for (const [k, v] of object) {
      const found = visit(k, `${where}<key>`, seen, depth + 1) ?? visit(v, `${where}.get(${String(k)})`, seen, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (object instanceof Set) {
    for (const v of object) {
      const found = visit(v, `${where}<item>`, seen, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (tag !== '[object Object]' && tag !== '[object Error]') {
    // Dates, regexps, boxed primitives, blobs, ports…: let structured clone itself judge.
    return viaClone(object, where);
  }
  for (const key of Object.keys(object)) {
    const found = visit((object as Record<string, unknown>)[key], where === '' ? key : `${where}.${key}`, seen, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function viaClone(object: object, where: string): string | undefined {
  try {
    structuredClone(object);
    return undefined;
  } catch (error) {
    return where === '' ? (error as Error).message : `${(error as Error).message} (at \`${where}\`)`;
  }
}
