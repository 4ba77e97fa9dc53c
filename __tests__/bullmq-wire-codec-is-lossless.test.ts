import { AsyncThreadPoolError, registerErrorClass } from '../src';
import { decode, encode, WIRE_FORMAT } from '../src/bullmq/codec';

/** Encodes, goes through JSON text (what BullMQ stores in Redis), decodes. */
function roundTrip<T>(value: T): T {
  return decode(JSON.parse(JSON.stringify(encode(value)))) as T;
}

class QuotaError extends Error {
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

describe('the wire codec of asyncthreadpool/bullmq', () => {
  test('carries what JSON cannot: undefined, NaN, ±Infinity, -0, BigInt', () => {
    const back = roundTrip({ u: undefined, nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0, big: 2n ** 70n, list: [undefined, 1] });
    expect(Object.keys(back)).toContain('u');
    expect(back.u).toBeUndefined();
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Infinity);
    expect(back.ninf).toBe(-Infinity);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.big).toBe(2n ** 70n);
    expect(back.list).toEqual([undefined, 1]);
  });

  test('carries Date, RegExp, Map, Set and boxed primitives, nested', () => {
    const value = {
      when: new Date(1_700_000_000_123),
      invalid: new Date(NaN),
      pattern: /a+b/gi,
      map: new Map<unknown, unknown>([
        [1, new Set(['x', 'y'])],
        [{ key: true }, [new Date(5)]],
      ]),
      boxed: [Object(1) as number, Object('s') as string, Object(false) as boolean],
    };
    const back = roundTrip(value);
    expect(back.when).toBeInstanceOf(Date);
    expect(back.when.getTime()).toBe(1_700_000_000_123);
    expect(Number.isNaN(back.invalid.getTime())).toBe(true);
    expect(back.pattern).toBeInstanceOf(RegExp);
    expect(back.pattern.source).toBe('a+b');
    expect(back.pattern.flags).toBe('gi');
    expect(back.map).toBeInstanceOf(Map);
    expect(back.map.get(1)).toEqual(new Set(['x', 'y']));
    expect([...back.map.keys()][1]).toEqual({ key: true });
    expect(back.boxed.map((b) => typeof b)).toEqual(['object', 'object', 'object']);
    expect(back.boxed.map((b) => (b as { valueOf(): unknown }).valueOf())).toEqual([1, 's', false]);
  });

  test('carries ArrayBuffer, every typed array (only its view of the buffer) and DataView', () => {
    const big = new ArrayBuffer(16);
    new Uint8Array(big).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const back = roundTrip({
      buffer: big,
      slice: new Uint8Array(big, 4, 4),
      f64: new Float64Array([1.5, -0, NaN]),
      i16: new Int16Array([-2, 7]),
      big64: new BigInt64Array([-(2n ** 63n)]),
      view: new DataView(big, 2, 3),
      node: Buffer.from('hi'),
    });
    expect(back.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(back.buffer)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(back.slice).toBeInstanceOf(Uint8Array);
    expect([...back.slice]).toEqual([5, 6, 7, 8]);
    expect(back.slice.byteOffset).toBe(0);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(Object.is(back.f64[1], -0)).toBe(true);
    expect(back.f64[2]).toBeNaN();
    expect([...back.i16]).toEqual([-2, 7]);
    expect(back.big64[0]).toBe(-(2n ** 63n));
    expect(back.view).toBeInstanceOf(DataView);
    expect(back.view.byteLength).toBe(3);
    expect(back.view.getUint8(0)).toBe(3);
    // As structured clone does: a Buffer arrives as a Uint8Array.
    expect(Object.prototype.toString.call(back.node)).toBe('[object Uint8Array]');
    expect(Buffer.from(back.node).toString()).toBe('hi');
  });

  test('keeps sparse arrays sparse, shared references shared, and cycles', () => {
    const sparse: unknown[] = [1];
    sparse[4] = 'e';
    const shared = { n: 1 };
    const cyclic: { self?: unknown; list: unknown[] } = { list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic);
    const back = roundTrip({ sparse, a: shared, b: shared, cyclic });
    expect(back.sparse).toHaveLength(5);
    expect(1 in back.sparse).toBe(false);
    expect(back.sparse[4]).toBe('e');
    expect(back.a).toBe(back.b);
    expect(back.cyclic.self).toBe(back.cyclic);
    expect(back.cyclic.list[0]).toBe(back.cyclic);
  });

  test('never lets a key such as __proto__ set a prototype', () => {
    const back = roundTrip(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('refuses functions and symbols with ERR_UNCLONEABLE naming where they are', () => {
    let thrown: unknown;
    try {
      encode([{ deep: { fn: () => 1 } }], 'Argument 0');
    } catch (error) {
      thrown = error;
    }
    expect(AsyncThreadPoolError.is(thrown, 'ERR_UNCLONEABLE')).toBe(true);
    expect((thrown as Error).message).toContain('[0].deep.fn');
    expect(() => encode(Symbol('s'))).toThrow(/symbol/);
    expect(() => encode(new WeakMap())).toThrow(/WeakMap/);
  });

  test('brings errors back with class, message, code, cause, own properties and stack', () => {
    registerErrorClass(QuotaError);
    const cause = new TypeError('inner');
    const error = Object.assign(new RangeError('outer', { cause }), { code: 'E_OUT', details: new Map([[1, 2]]) });
    const back = roundTrip(error);
    expect(back).toBeInstanceOf(RangeError);
    expect(back.message).toBe('outer');
    expect(back.code).toBe('E_OUT');
    expect(back.details).toEqual(new Map([[1, 2]]));
    expect(back.cause).toBeInstanceOf(TypeError);
    expect(back.stack).toBe(error.stack);
    expect(Object.keys(back).sort()).toEqual(['code', 'details']);

    const quota = roundTrip(new QuotaError('too many', 10));
    expect(quota).toBeInstanceOf(QuotaError);
    expect(quota.limit).toBe(10);

    const coded = roundTrip(new AsyncThreadPoolError('ERR_TASK_TIMEOUT', 'late'));
    expect(AsyncThreadPoolError.is(coded, 'ERR_TASK_TIMEOUT')).toBe(true);
    expect(coded.name).toBe('AsyncThreadPoolError');

    class Unknown extends Error {
      override name = 'UnknownError';
    }
    const plain = roundTrip(new Unknown('who'));
    expect(plain).toBeInstanceOf(Error);
    expect(plain.name).toBe('UnknownError');
    const aggregate = roundTrip(new AggregateError([new Error('a')], 'all'));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0]).toBeInstanceOf(Error);
  });

  test('refuses what is not its encoding, or of another format version, with ERR_INVALID_PAYLOAD', () => {
    for (const bad of [null, 'text', { value: 1 }, { atp: WIRE_FORMAT + 1, value: 1 }, { atp: WIRE_FORMAT, value: ['?'] }, { atp: WIRE_FORMAT, value: ['r', 9] }]) {
      let thrown: unknown;
      try {
        decode(bad);
      } catch (error) {
        thrown = error;
      }
      expect(AsyncThreadPoolError.is(thrown, 'ERR_INVALID_PAYLOAD')).toBe(true);
    }
  });
});
