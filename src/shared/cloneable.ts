import { types } from 'node:util';
import { type AsyncThreadPoolError, fail } from './errors';

/**
 * Finds what structured clone would refuse, so that a bad argument is reported at the call site
 * with its position instead of surfacing as an anonymous `DataCloneError` from deep in the pool.
 *
 * It never costs more than the clone itself: it reads what the clone reads (own enumerable
 * properties, array elements present, map and set entries), and an array with holes is walked by its
 * own keys, not its length (a `length` of 2^32 - 1 with nothing in it is as cheap as the clone). It
 * never throws: a getter or a proxy trap that throws is reported with what it threw as the cause.
 * Proxies, promises and the weak collections are told by what they are (`util.types`), not by their
 * `Symbol.toStringTag`, which any object can fake.
 */

/** What structured clone would refuse in a value. */
export interface Uncloneable {
  /** Such as ``a function at `[1].onDone` ``, or ``reading `x` threw: boom``. */
  readonly reason: string;
  /** What reading the value threw (a getter), if that is the reason. */
  readonly cause?: unknown;
}

/** The first uncloneable part found, on the way back up: its description and its path, leaf first. */
interface Found {
  /** `value`: `what` is the refused part (``a function``); `read`: reading it threw `cause`; `clone`: `what` is the clone's own message. */
  readonly kind: 'value' | 'read' | 'clone';
  readonly what: string;
  readonly path: string[];
  readonly cause?: unknown;
}

/** Below this depth structured clone itself judges the rest (it has no such limit to hit). */
const MAX_DEPTH = 200;

const REFUSED_TAGS = new Set(['[object WeakRef]', '[object FinalizationRegistry]']);


/** A description such as ``a function at `[1].onDone` `` of the first uncloneable part, else undefined. */
export function findUncloneable(value: unknown, where = ''): string | undefined {
  return checkCloneable(value, where)?.reason;
}

/**
 * The coded error of a call whose arguments structured clone refused when they were posted, naming
 * the first argument it refuses on its own (its clone error as `cause`); undefined if every argument
 * clones on its own. Only run once a post has failed: it clones each argument again.
 */
export function postRefusal(taskName: string, args: readonly unknown[]): AsyncThreadPoolError | undefined {
  for (let i = 0; i < args.length; i++) {
    try {
      structuredClone(args[i]);
    } catch (error) {
      return fail('ERR_UNCLONEABLE', `Argument ${String(i)} of ${taskName} cannot be sent to a thread: ${messageOf(error)}`, error);
    }
  }
  return undefined;
}

/** The coded error of a call whose post failed with `error`: {@link postRefusal}, or, if each argument clones on its own (a bad transfer list…), `error` itself as the cause. */
export function postFailure(taskName: string, args: readonly unknown[], error: unknown): AsyncThreadPoolError {
  return postRefusal(taskName, args) ?? fail('ERR_UNCLONEABLE', `The arguments of ${taskName} cannot be sent to a thread: ${messageOf(error)}`, error);
}

/** What structured clone would refuse in `value` (named from `where`, a path prefix), else undefined. */
export function checkCloneable(value: unknown, where = ''): Uncloneable | undefined {
  // Most arguments and results are primitives: nothing to walk, no `seen` set to allocate.
  if (isPlainPrimitive(value)) return undefined;
  const found = visit(value, new Set(), 0);
  if (found === undefined) return undefined;
  const inner = found.path.reverse().join('');
  // A path from the top reads `a.b`, not `.a.b`.
  const path = where === '' && inner.startsWith('.') ? inner.slice(1) : where + inner;
  const at = path === '' ? '' : ` \`${path}\``;
  let reason: string;
  if (found.kind === 'read') reason = `reading${at === '' ? ' it' : at} threw: ${found.what}`;
  else if (found.kind === 'clone') reason = path === '' ? found.what : `${found.what} (at${at})`;
  else reason = path === '' ? `it is ${found.what}` : `${found.what} at${at}`;
  return found.cause === undefined ? { reason } : { reason, cause: found.cause };
}

function visit(value: unknown, seen: Set<object>, depth: number): Found | undefined {
  const type = typeof value;
  if (type === 'function') return { kind: 'value', what: 'a function', path: [] };
  if (type === 'symbol') return { kind: 'value', what: 'a symbol', path: [] };
  if (type !== 'object' || value === null) return undefined;
  const object = value as object;
  if (seen.has(object)) return undefined;
  seen.add(object);
  // Before anything touches it: a proxy's traps run on every read, and no proxy can be cloned.
  if (types.isProxy(object)) return { kind: 'value', what: 'a Proxy', path: [] };
  if (depth > MAX_DEPTH) return viaClone(object);
  if (types.isAnyArrayBuffer(object) || ArrayBuffer.isView(object)) return undefined;
  // Cloned without their own properties, so nothing in them can be refused.
  // An array has no other internal slots, so it is told apart first (the common case, pure JS).
  if (Array.isArray(object)) return visitArray(object, seen, depth);
  if (types.isDate(object) || types.isRegExp(object) || types.isBoxedPrimitive(object)) return undefined;
  if (types.isPromise(object)) return { kind: 'value', what: 'a Promise', path: [] };
  if (types.isWeakMap(object)) return { kind: 'value', what: 'a WeakMap', path: [] };
  if (types.isWeakSet(object)) return { kind: 'value', what: 'a WeakSet', path: [] };
  if (types.isGeneratorObject(object)) return { kind: 'value', what: 'a Generator', path: [] };
  if (types.isMap(object)) return visitMap(object, seen, depth);
  if (types.isSet(object)) {
    // The built-in iterators: an instance's own `entries` or `Symbol.iterator` is not what the clone reads.
    for (const item of Set.prototype.values.call(object)) {
      const found = visit(item, seen, depth + 1);
      if (found !== undefined) return within(found, '<item>');
    }
    return undefined;
  }
  if (types.isNativeError(object)) {
    // An error is cloned as its name, message, stack and cause: only the cause can hold anything.
    if (!Object.hasOwn(object, 'cause')) return undefined;
    return read(object, 'cause', '.cause', seen, depth);
  }
  let tag: string;
  try {
    tag = Object.prototype.toString.call(object);
  } catch (error) {
    return threw(error, '');
  }
  if (REFUSED_TAGS.has(tag)) return { kind: 'value', what: `a ${tag.slice(8, -1)}`, path: [] };
  if (tag !== '[object Object]' && tag !== '[object Error]') {
    // Blobs, ports, the arguments object, iterators…: let structured clone itself judge.
    return viaClone(object);
  }
  for (const key of Object.keys(object)) {
    const found = read(object, key, `.${key}`, seen, depth);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The elements present, by index while there are no holes (cheaper than listing the keys); at the
 * first hole, the own keys instead, as the clone does, so a sparse array costs what it holds.
 */
function visitArray(array: unknown[], seen: Set<object>, depth: number): Found | undefined {
  const length = array.length;
  for (let i = 0; i < length; i++) {
    let item: unknown;
    try {
      item = array[i];
    } catch (error) {
      return threw(error, `[${String(i)}]`);
    }
    if (item === undefined && !Object.hasOwn(array, i)) return visitKeys(array, seen, depth);
    if (isPlainPrimitive(item)) continue;
    const found = visit(item, seen, depth + 1);
    if (found !== undefined) return within(found, `[${String(i)}]`);
  }
  return undefined;
}

/** Every own enumerable property of an array with holes: its elements and any named properties. */
function visitKeys(array: unknown[], seen: Set<object>, depth: number): Found | undefined {
  for (const key of Object.keys(array)) {
    const found = read(array, key, isIndex(key) ? `[${key}]` : `.${key}`, seen, depth);
    if (found !== undefined) return found;
  }
  return undefined;
}

function visitMap(map: Map<unknown, unknown>, seen: Set<object>, depth: number): Found | undefined {
  let entry = 0;
  for (const [key, item] of Map.prototype.entries.call(map)) {
    const inKey = visit(key, seen, depth + 1);
    if (inKey !== undefined) return within(inKey, `<key ${String(entry)}>`);
    const inItem = visit(item, seen, depth + 1);
    if (inItem !== undefined) return within(inItem, `.get(${describeKey(key, entry)})`);
    entry++;
  }
  return undefined;
}

/** Reads one property (a getter may throw) and visits it. */
function read(object: object, key: string, segment: string, seen: Set<object>, depth: number): Found | undefined {
  let item: unknown;
  try {
    item = (object as Record<string, unknown>)[key];
  } catch (error) {
    return threw(error, segment);
  }
  const found = visit(item, seen, depth + 1);
  return found === undefined ? undefined : within(found, segment);
}

/** A value structured clone always takes as it is: not an object, a function or a symbol. */
function isPlainPrimitive(value: unknown): boolean {
  const type = typeof value;
  return type === 'number' || type === 'string' || type === 'boolean' || type === 'undefined' || type === 'bigint' || value === null;
}

function within(found: Found, segment: string): Found {
  found.path.push(segment);
  return found;
}

function threw(error: unknown, segment: string): Found {
  return { kind: 'read', what: messageOf(error), path: segment === '' ? [] : [segment], cause: error };
}

function viaClone(object: object): Found | undefined {
  try {
    structuredClone(object);
    return undefined;
  } catch (error) {
    return { kind: 'clone', what: messageOf(error), path: [], cause: error };
  }
}

/** A map key as a reader would write it: primitives as themselves, an object key by its entry's position. */
function describeKey(key: unknown, entry: number): string {
  switch (typeof key) {
    case 'string':
      return key;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(key);
    case 'symbol':
      return key.toString();
    default:
      return key === null ? 'null' : `<key ${String(entry)}>`;
  }
}

function isIndex(key: string): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key);
}

/** A thrown value's message; a message getter that throws again does not escape. */
function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null || types.isProxy(error)) return 'a value that is not an error';
  try {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // Described below.
  }
  return 'an error without a readable message';
}
