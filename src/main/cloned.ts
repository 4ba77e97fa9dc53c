import type { MessagePort } from 'node:worker_threads';

/**
 * What a value of type `T` is after it crossed a thread: results (and arguments) travel by
 * structured clone, which copies data, not behaviour. So the typed proxies resolve to
 * `Cloned<Awaited<R>>`, not to the task's declared `R`:
 * - primitives, `Date`, `RegExp`, `ArrayBuffer`, `SharedArrayBuffer`, typed arrays, `DataView` and
 *   `MessagePort` (moved) keep their type; a Node `Buffer` arrives as a `Uint8Array`;
 * - an `Error` (of any class) arrives as an `Error`: its message, name, stack and cause;
 * - `Map`, `Set`, arrays and tuples keep their shape, their elements cloned in turn;
 * - any other object, class instances included, arrives as a plain object with its data properties
 *   (string keys) cloned in turn: methods and other function-valued properties are gone, and so is
 *   its class (`instanceof` is false). What types cannot see, getters on a prototype, is gone too;
 * - functions, symbols, promises, `WeakMap` and `WeakSet` cannot be sent at all (`never`).
 *
 * Declare a task's parameter as `Cloned<Money>` rather than `Money` when the caller passes a class
 * instance: the task then cannot call a method that the copy it gets does not have.
 *
 * @example
 * ```ts
 * import type { Cloned } from 'asyncthreadpool';
 *
 * class Money {
 *   constructor(readonly cents: number) {}
 *   format(): string { return `$${(this.cents / 100).toFixed(2)}`; }
 * }
 * type Arrives = Cloned<Money>; // { readonly cents: number }: no format()
 * const copy: Arrives = structuredClone(new Money(250));
 * console.log(copy.cents);
 * ```
 */
export type Cloned<T> = 0 extends 1 & T // `any` stays `any`; every other type distributes over its union members.
  ? T
  : // Values structured clone copies as they are (their class included).
    T extends
      | string
      | number
      | boolean
      | bigint
      | null
      | undefined
      // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a task that returns nothing
      | void
      | Date
      | RegExp
      | ArrayBuffer
      | SharedArrayBuffer
      | MessagePort
  ? T
  : // Before the refused kinds: a Set has all that a WeakSet has.
    T extends ReadonlyMap<infer K, infer V>
    ? Map<Cloned<K>, Cloned<V>>
    : T extends ReadonlySet<infer V>
      ? Set<Cloned<V>>
      : // Values structured clone refuses (the call rejects with `ERR_UNCLONEABLE`): nothing of them arrives.
        T extends symbol | Function | PromiseLike<unknown> | WeakMap<object, unknown> | WeakSet<object>
        ? never
        : T extends Buffer
          ? Uint8Array
          : T extends ArrayBufferView
            ? T
            : T extends Error
              ? Error
              : T extends readonly unknown[]
                ? { [I in keyof T]: Cloned<T[I]> }
                : T extends object
                  ? // The data properties, cloned: symbol keys and function-valued properties are left out.
                    { [K in keyof T as K extends symbol ? never : T[K] extends Function ? never : K]: Cloned<T[K]> }
                  : T;
