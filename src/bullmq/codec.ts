import { AsyncThreadPoolError, fail } from '../shared/errors';
import { registeredErrorClass } from '../shared/manifest';

/**
 * The wire encoding of `asyncthreadpool/bullmq`: what structured clone carries between threads,
 * carried between machines as JSON (BullMQ stores job data and results as JSON). Lossless for
 * `undefined`, NaN, ±Infinity, -0, BigInt, Date, RegExp, Map, Set, ArrayBuffer, typed arrays,
 * DataView, boxed primitives, sparse arrays, shared and cyclic references, and errors.
 *
 * A JSON object is a plain object (its values encoded); every other non-primitive is a tagged
 * array `[tag, ...]`, so no key of a user's object is ever reserved. References are numbered in
 * the order objects are first met (depth first), the same order the decoder builds them in.
 *
 * Loads no BullMQ: the codec is plain data in, plain data out.
 */

/** The format version written into every envelope; a reader refuses any other. */
export const WIRE_FORMAT = 1;

/** A JSON value. */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

/** An encoded value with its format version: what a job's data, result and error carry. */
export interface Envelope {
  readonly atp: typeof WIRE_FORMAT;
  readonly value: Wire;
}

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
};

const BUILTIN_ERRORS = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'];
const STANDARD_ERROR_KEYS = new Set(['name', 'message', 'stack', 'cause', 'errors']);
const REFUSED_TAGS = new Set(['[object WeakMap]', '[object WeakSet]', '[object WeakRef]', '[object Promise]', '[object Generator]', '[object Blob]', '[object MessagePort]']);
const BRAND = Symbol.for('asyncthreadpool.error');

/** Encodes a value with the format version; throws `ERR_UNCLONEABLE` (naming where) for what cannot cross. */
export function encode(value: unknown, what = 'the value'): Envelope {
  return { atp: WIRE_FORMAT, value: new Encoder(what).encode(value, '') };
}

/** Decodes an envelope; throws `ERR_INVALID_PAYLOAD` for anything that is not one of this format. */
export function decode(envelope: unknown, what = 'the payload'): unknown {
  if (typeof envelope !== 'object' || envelope === null || !('atp' in envelope)) {
    throw fail('ERR_INVALID_PAYLOAD', `${what} is not in asyncthreadpool's wire encoding`);
  }
  const version = (envelope).atp;
  if (version !== WIRE_FORMAT) {
    throw fail('ERR_INVALID_PAYLOAD', `${what} is in wire format ${String(version)}; this copy of asyncthreadpool reads format ${String(WIRE_FORMAT)}`);
  }
  try {
    return new Decoder().decode((envelope as { value?: Wire }).value ?? null);
  } catch (error) {
    if (AsyncThreadPoolError.is(error)) throw error;
    throw fail('ERR_INVALID_PAYLOAD', `${what} is malformed: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

class Encoder {
  readonly #ids = new Map<object, number>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  encode(value: unknown, where: string): Wire {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) && !Object.is(value, -0) ? value : ['n', Object.is(value, -0) ? '-0' : String(value)];
      case 'undefined':
        return ['u'];
      case 'bigint':
        return ['b', value.toString()];
      case 'function':
      case 'symbol':
        throw this.#refuse(`a ${typeof value}`, where);
      default:
        break;
    }
    if (value === null) return null;
    const object = value as object;
    const seen = this.#ids.get(object);
    if (seen !== undefined) return ['r', seen];
    this.#ids.set(object, this.#ids.size);
    try {
      return this.#object(object, where);
    } catch (error) {
      if (error instanceof RangeError) throw this.#refuse('a value nested too deeply', where);
      throw error;
    }
  }

  #object(object: object, where: string): Wire {
    if (Array.isArray(object)) return this.#array(object as unknown[], where);
    // Tags, not instanceof: values may come from another realm (a vm context, jest's).
    const tag = Object.prototype.toString.call(object);
    switch (tag) {
      case '[object Date]': {
        const time = Date.prototype.getTime.call(object);
        return ['D', Number.isNaN(time) ? null : time];
      }
      case '[object RegExp]':
        return ['R', (object as RegExp).source, (object as RegExp).flags];
      case '[object Map]': {
        const items: Wire[] = [];
        let i = 0;
        Map.prototype.forEach.call(object, (v: unknown, k: unknown) => {
          items.push(this.encode(k, `${where}<key ${String(i)}>`), this.encode(v, `${where}.get(…)`));
          i++;
        });
        return ['M', items];
      }
      case '[object Set]': {
        const items: Wire[] = [];
        Set.prototype.forEach.call(object, (v: unknown) => items.push(this.encode(v, `${where}<item>`)));
        return ['S', items];
      }
      case '[object ArrayBuffer]':
        return ['B', Buffer.from(object as ArrayBuffer).toString('base64')];
      case '[object SharedArrayBuffer]':
        return ['SB', Buffer.from(object as SharedArrayBuffer).toString('base64')];
      case '[object DataView]': {
        const view = object as DataView;
        return ['V', Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')];
      }
      case '[object Number]':
      case '[object String]':
      case '[object Boolean]':
      case '[object BigInt]':
        return ['O', this.encode((object as { valueOf(): unknown }).valueOf(), where)];
      case '[object Error]':
        return this.#error(object as Error, where);
      default:
        break;
    }
    if (ArrayBuffer.isView(object)) {
      const name = tag.slice(8, -1);
      if (TYPED_ARRAYS[name] === undefined) throw this.#refuse(`a ${name}`, where);
      return ['T', name, Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64')];
    }
    if (object instanceof Error) return this.#error(object, where);
    if (REFUSED_TAGS.has(tag)) throw this.#refuse(`a ${tag.slice(8, -1)}`, where);
    // A plain object, or a class instance: its own enumerable properties, as structured clone does.
    const out: Record<string, Wire> = {};
    for (const key of Object.keys(object)) {
      define(out, key, this.encode((object as Record<string, unknown>)[key], where === '' ? key : `${where}.${key}`));
    }
    return out;
  }

  #array(array: unknown[], where: string): Wire {
    let dense = true;
    for (let i = 0; i < array.length && dense; i++) if (!(i in array)) dense = false;
    if (dense) {
      const out: Wire[] = ['a'];
      for (let i = 0; i < array.length; i++) out.push(this.encode(array[i], `${where}[${String(i)}]`));
      return out;
    }
    const entries: Wire[] = [];
    for (const key of Object.keys(array)) {
      const index = Number(key);
      if (Number.isInteger(index)) entries.push(index, this.encode(array[index], `${where}[${key}]`));
    }
    return ['A', array.length, entries];
  }

  #error(error: Error, where: string): Wire {
    const props: Record<string, Wire> = {};
    for (const key of Object.keys(error)) {
      if (STANDARD_ERROR_KEYS.has(key)) continue;
      define(props, key, this.encode((error as unknown as Record<string, unknown>)[key], `${where}.${key}`));
    }
    const isLibraryError = AsyncThreadPoolError.is(error);
    if (isLibraryError) props.code = error.code;
    const out: Record<string, Wire> = {
      ctor: isLibraryError ? 'AsyncThreadPoolError' : constructorName(error),
      name: typeof error.name === 'string' ? error.name : 'Error',
      message: typeof error.message === 'string' ? error.message : '',
      stack: typeof error.stack === 'string' ? error.stack : null,
      props,
    };
    if ('cause' in error) out.cause = this.encode(error.cause, `${where}.cause`);
    const errors = (error as { errors?: unknown }).errors;
    if (Array.isArray(errors)) out.errors = this.encode(errors, `${where}.errors`);
    return ['E', out];
  }

  #refuse(what: string, where: string): AsyncThreadPoolError {
    return fail('ERR_UNCLONEABLE', `${this.#what} cannot be sent to another machine: ${what}${where === '' ? '' : ` at \`${where}\``}`);
  }
}

class Decoder {
  readonly #refs: unknown[] = [];

  decode(wire: Wire): unknown {
    if (wire === null || typeof wire === 'string' || typeof wire === 'boolean' || typeof wire === 'number') return wire;
    if (!Array.isArray(wire)) {
      if (typeof wire !== 'object') throw new Error(`unexpected ${typeof wire}`);
      const out: Record<string, unknown> = {};
      this.#refs.push(out);
      for (const key of Object.keys(wire)) define(out, key, this.decode(wire[key] as Wire));
      return out;
    }
    const tag = wire[0];
    switch (tag) {
      case 'u':
        return undefined;
      case 'n':
        return wire[1] === '-0' ? -0 : Number(string(wire[1]));
      case 'b':
        return BigInt(string(wire[1]));
      case 'r': {
        const index = wire[1];
        if (typeof index !== 'number' || index < 0 || index >= this.#refs.length) throw new Error('bad reference');
        return this.#refs[index];
      }
      case 'a': {
        const out: unknown[] = [];
        this.#refs.push(out);
        for (let i = 1; i < wire.length; i++) out.push(this.decode(wire[i] as Wire));
        return out;
      }
      case 'A': {
        const length = wire[1];
        const entries = list(wire[2]);
        if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 2 ** 32 - 1) throw new Error('bad array length');
        const out: unknown[] = new Array<unknown>(length);
        this.#refs.push(out);
        for (let i = 0; i + 1 < entries.length; i += 2) {
          const index = entries[i];
          if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) throw new Error('bad array index');
          out[index] = this.decode(entries[i + 1] as Wire);
        }
        return out;
      }
      case 'D':
        return this.#keep(new Date(wire[1] === null ? NaN : Number(wire[1])));
      case 'R':
        return this.#keep(new RegExp(string(wire[1]), string(wire[2])));
      case 'M': {
        const out = new Map<unknown, unknown>();
        this.#refs.push(out);
        const items = list(wire[1]);
        for (let i = 0; i + 1 < items.length; i += 2) {
          const key = this.decode(items[i] as Wire);
          out.set(key, this.decode(items[i + 1] as Wire));
        }
        return out;
      }
      case 'S': {
        const out = new Set<unknown>();
        this.#refs.push(out);
        for (const item of list(wire[1])) out.add(this.decode(item));
        return out;
      }
      case 'B':
        return this.#keep(bytesOf(wire[1]).buffer);
      case 'SB': {
        const bytes = bytesOf(wire[1]);
        const shared = new SharedArrayBuffer(bytes.byteLength);
        new Uint8Array(shared).set(bytes);
        return this.#keep(shared);
      }
      case 'V':
        return this.#keep(new DataView(bytesOf(wire[1]).buffer));
      case 'T': {
        const ctor = TYPED_ARRAYS[string(wire[1])];
        if (ctor === undefined) throw new Error(`unknown typed array ${string(wire[1])}`);
        return this.#keep(new ctor(bytesOf(wire[2]).buffer));
      }
      case 'O': {
        const index = this.#refs.push(undefined) - 1;
        const boxed = Object(this.decode(wire[1] as Wire)) as object;
        this.#refs[index] = boxed;
        return boxed;
      }
      case 'E':
        return this.#error(wire[1]);
      default:
        throw new Error(`unknown tag ${JSON.stringify(tag)}`);
    }
  }

  #keep<T>(value: T): T {
    this.#refs.push(value);
    return value;
  }

  /** Rebuilds an error in this realm: built-in classes as this realm's, user classes when registered. */
  #error(wire: Wire | undefined): Error {
    if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw new Error('bad error');
    const ctorName = string(wire.ctor);
    const name = string(wire.name);
    const ctor: abstract new (...args: never[]) => Error =
      ctorName === 'AsyncThreadPoolError'
        ? AsyncThreadPoolError
        : (registeredErrorClass(ctorName) ?? builtinErrorClass(ctorName) ?? builtinErrorClass(name) ?? Error);
    const error = Object.create(ctor.prototype as object) as Error;
    this.#refs.push(error);
    const hidden = (key: string, value: unknown): void => {
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
    };
    const message = string(wire.message);
    hidden('message', message);
    hidden('stack', typeof wire.stack === 'string' ? wire.stack : `${name}: ${message}`);
    if (name !== error.name) hidden('name', name);
    if (ctor === AsyncThreadPoolError) Object.defineProperty(error, BRAND, { value: true });
    const props = wire.props;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new Error('bad error properties');
    for (const key of Object.keys(props)) define(error as unknown as Record<string, unknown>, key, this.decode(props[key] as Wire));
    if ('cause' in wire) hidden('cause', this.decode(wire.cause));
    if ('errors' in wire) hidden('errors', this.decode(wire.errors));
    return error;
  }
}

/** Sets an own data property (never the prototype, for a key such as `__proto__`). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function string(value: Wire | undefined): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${typeof value}`);
  return value;
}

function list(value: Wire | undefined): Wire[] {
  if (!Array.isArray(value)) throw new Error('expected a list');
  return value;
}

/** A fresh, exactly sized copy of base64 bytes (never a view into Node's shared buffer pool). */
function bytesOf(value: Wire | undefined): Uint8Array<ArrayBuffer> {
  const decoded = Buffer.from(string(value), 'base64');
  const bytes = new Uint8Array(decoded.byteLength);
  bytes.set(decoded);
  return bytes;
}

function builtinErrorClass(name: string): (abstract new (...args: never[]) => Error) | undefined {
  if (!BUILTIN_ERRORS.includes(name)) return undefined;
  return (globalThis as unknown as Record<string, abstract new (...args: never[]) => Error>)[name];
}

function constructorName(error: Error): string {
  const ctor = (Object.getPrototypeOf(error) as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === 'string' ? ctor.name : 'Error';
}
