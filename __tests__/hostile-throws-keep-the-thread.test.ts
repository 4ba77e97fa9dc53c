import { spawn, ThreadPool } from '../src';
import { serializeThrown } from '../src/shared/errors';
import { Counter, HostileTasks } from './fixtures/hostile-throws';
import { rejectionOf } from './helpers';

/**
 * What a task throws is described, never fatal: an error whose `message`, `stack`, `name`, `cause`
 * or an enumerable own property has a throwing getter, a Proxy (one whose traps throw, a revoked
 * one) comes back with what could be read and placeholders for the rest, and the thread goes on
 * with its context (its counter keeps counting).
 */
type Hostile = Exclude<keyof typeof HostileTasks, 'prototype' | 'bump' | 'echo'>;

const cases: [Hostile, (error: unknown) => void][] = [
  [
    'throwingMessage',
    (error) => {
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'Error', message: '<unreadable message>' });
      // Formatting the stack may read the message too: then the stack is a placeholder as well.
      expect((error as Error).stack).toMatch(/^Error: /);
    },
  ],
  [
    'throwingStack',
    (error) => {
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe('stackless');
      expect((error as Error).stack).toBe('RangeError: stackless\n    <unreadable stack>');
    },
  ],
  [
    'throwingProperty',
    (error) => {
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ message: 'with a bad field', code: 'E_FIELD', detail: '<unreadable property>' });
    },
  ],
  [
    'throwingName',
    (error) => {
      expect(error).toMatchObject({ name: 'Error', message: 'nameless' });
    },
  ],
  [
    'throwingCause',
    (error) => {
      expect((error as Error).message).toBe('outer');
      expect((error as Error).cause).toMatchObject({ message: '<unreadable message>' });
    },
  ],
  [
    'proxyOfError',
    (error) => {
      expect(error).toMatchObject({ name: 'Error', message: 'through a proxy' });
    },
  ],
  [
    'proxyOfObject',
    (error) => {
      // Structured clone refuses any Proxy: an uncloneable thrown value comes back as its text.
      expect(error).toBe('[object Object]');
    },
  ],
  [
    'trappingProxy',
    (error) => {
      expect(error).toBe('<unreadable value>');
    },
  ],
  [
    'revokedProxy',
    (error) => {
      expect(error).toBe('<unreadable value>');
    },
  ],
  [
    'rejectsWithRevokedProxy',
    (error) => {
      expect(error).toBe('<unreadable value>');
    },
  ],
];

describe.each([
  ['a pool', () => new ThreadPool({ threads: 1, context: Counter })],
  ['an inline pool', () => ThreadPool.inline({ context: Counter })],
])('hostile throws on %s', (_label, makePool) => {
  const pool = makePool();
  afterAll(() => pool.close());

  test.each(cases)('%s: described, and the thread keeps its context', async (method, check) => {
    const before = await pool.spawn(HostileTasks).bump();
    check(await rejectionOf(pool.spawn(HostileTasks)[method]()));
    // The same context: the thread was not lost and replaced.
    expect(await pool.spawn(HostileTasks).bump()).toBe(before + 1);
  });
});

describe('hostile throws on a temporary thread', () => {
  test.each(cases)('%s: described, not a lost thread', async (method, check) => {
    check(await rejectionOf(spawn(HostileTasks)[method]()));
  });
});

describe('serializeThrown', () => {
  test('never throws, and what it makes can always be posted', () => {
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const trap = (): never => {
      throw new Error('trap');
    };
    const hostile: unknown[] = [
      revoked,
      new Proxy(new Error('x'), { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap, getOwnPropertyDescriptor: trap }),
      new Proxy(new Error('x'), { ownKeys: trap }),
      new Proxy(new Error('x'), { has: trap }),
      Object.assign(new Error('fn field'), { callback: () => 1, tag: Symbol('s'), nested: { revoked } }),
      Object.defineProperty(new Error('odd message'), 'message', { value: { toString: trap } }),
      Object.defineProperty(new AggregateError([]), 'errors', { get: trap }),
      new AggregateError([revoked, new Proxy([], { get: trap })]),
      Symbol('thrown'),
      () => 'thrown function',
    ];
    for (const thrown of hostile) {
      const data = serializeThrown(thrown);
      expect(() => structuredClone(data)).not.toThrow();
    }
    expect(serializeThrown(hostile[5])).toMatchObject({ kind: 'error', message: '<unreadable message>' });
  });
});
