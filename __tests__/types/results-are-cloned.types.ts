/**
 * Type tests of `Cloned<T>`: a call resolves to what structured clone delivers, not to the task's
 * declared return type. Checked by `tsc --noEmit`, never run.
 */
import type { MessagePort } from 'node:worker_threads';
import { spawn, ThreadPool, type Cloned } from '../../src';
import { BufferTasks } from '../../tasks/buffers';
import { Counter, MathTasks } from '../../tasks/math';
import { ClonedTasks, Money, type HttpError } from '../fixtures/cloned-results';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Mutual assignability, for mapped arrays that `Equal` (identity) tells apart from the same literal. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

interface Point {
  x: number;
  y?: number;
}

export function clonedMapsEachKind(): void {
  // A class instance becomes its data fields (modifiers kept); methods are gone.
  assertType<Equal<Cloned<Money>, { readonly cents: number }>>();
  // Kept as they are.
  assertType<Equal<Cloned<string>, string>>();
  assertType<Equal<Cloned<42>, 42>>();
  assertType<Equal<Cloned<bigint>, bigint>>();
  assertType<Equal<Cloned<void>, void>>();
  assertType<Equal<Cloned<Date>, Date>>();
  assertType<Equal<Cloned<RegExp>, RegExp>>();
  assertType<Equal<Cloned<ArrayBuffer>, ArrayBuffer>>();
  assertType<Equal<Cloned<SharedArrayBuffer>, SharedArrayBuffer>>();
  assertType<Equal<Cloned<Uint8Array>, Uint8Array>>();
  assertType<Equal<Cloned<Float64Array>, Float64Array>>();
  assertType<Equal<Cloned<DataView>, DataView>>();
  assertType<Equal<Cloned<MessagePort>, MessagePort>>();
  // A Buffer arrives as a Uint8Array; an error of any class as an Error.
  assertType<Equal<Cloned<Buffer>, Uint8Array>>();
  assertType<Equal<Cloned<HttpError>, Error>>();
  // Containers keep their shape, elements cloned.
  assertType<Equal<Cloned<Map<string, Money>>, Map<string, { readonly cents: number }>>>();
  assertType<Same<Cloned<Set<Money>>, Set<{ readonly cents: number }>>>();
  assertType<Same<Cloned<Money[]>, { readonly cents: number }[]>>();
  assertType<Equal<Cloned<readonly Money[]>, readonly { readonly cents: number }[]>>();
  assertType<Equal<Cloned<[Money, number]>, [{ readonly cents: number }, number]>>();
  // Unions distribute; optional properties stay optional; plain data is unchanged in effect.
  assertType<Equal<Cloned<Money | null>, { readonly cents: number } | null>>();
  assertType<Equal<Cloned<Point>, { x: number; y?: number }>>();
  const point: Point = {} as Cloned<Point>;
  // Function-valued properties and symbol keys are left out; what cannot be sent is never.
  assertType<Equal<Cloned<{ a: number; f: () => void; [Symbol.iterator]: number }>, { a: number }>>();
  assertType<Equal<Cloned<() => void>, never>>();
  assertType<Equal<Cloned<Promise<number>>, never>>();
  assertType<Equal<Cloned<symbol>, never>>();
  // Nothing to say about the unknown.
  assertType<Equal<Cloned<unknown>, unknown>>();
  assertType<Equal<Cloned<any>, any>>();
  assertType<Equal<Cloned<never>, never>>();
}

export async function poolResultsAreCloned(): Promise<void> {
  const pool = new ThreadPool({ threads: 2 });
  const money = await pool.spawn(ClonedTasks).makeMoney(250);
  assertType<Equal<typeof money, { readonly cents: number }>>();
  const cents: number = money.cents;
  // @ts-expect-error the result is a copy of the data: Money's methods did not cross the thread
  (await pool.spawn(ClonedTasks).makeMoney(250)).format();
  // @ts-expect-error nor is it a Money
  const asMoney: Money = await pool.spawn(ClonedTasks).makeMoney(250);
  // An async task: awaited, then cloned.
  const later = pool.spawn(ClonedTasks).later(1);
  assertType<Equal<typeof later, Promise<{ readonly cents: number }>>>();
  // The function-reference form.
  // @ts-expect-error the function-reference form says the same
  (await pool.spawn(ClonedTasks.makeMoney, 1)).format();
  // trySpawn and broadcast.
  const maybe = pool.trySpawn(ClonedTasks).makeMoney(1);
  assertType<Equal<typeof maybe, Promise<{ readonly cents: number }> | undefined>>();
  const maybeRef = pool.trySpawn(ClonedTasks.makeMoney, 1);
  assertType<Equal<typeof maybeRef, Promise<{ readonly cents: number }> | undefined>>();
  const each = pool.broadcast(ClonedTasks).makeMoney(1);
  assertType<Equal<typeof each, Promise<{ readonly cents: number }[]>>>();
  // Per-call options.
  // @ts-expect-error through a view too
  (await pool.with({ timeout: 100 }).spawn(ClonedTasks).makeMoney(1)).format();

  const mixed = await pool.spawn(ClonedTasks).mixed();
  assertType<Equal<typeof mixed.when, Date>>();
  assertType<Equal<typeof mixed.pattern, RegExp>>();
  assertType<Equal<typeof mixed.byName, Map<string, { readonly cents: number }>>>();
  assertType<Equal<typeof mixed.tags, Set<string>>>();
  assertType<Equal<typeof mixed.pair, [{ readonly cents: number }, number]>>();
  assertType<Equal<typeof mixed.bytes, Uint8Array>>();
  assertType<Equal<typeof mixed.view, Uint8Array>>();
  assertType<Equal<typeof mixed.error, Error>>();
  assertType<Equal<typeof mixed.maybe, { readonly cents: number } | null | undefined>>();
  // @ts-expect-error a function-valued property does not arrive
  mixed.callback();
  // @ts-expect-error the Buffer arrived as a Uint8Array
  mixed.bytes.toString('hex');
  // @ts-expect-error the HttpError arrived as an Error
  const status: number = mixed.error.status;

  // Moved results keep their type: a Uint8Array, a MessagePort.
  const bytes = pool.spawn(BufferTasks).make(4);
  assertType<Equal<typeof bytes, Promise<Uint8Array>>>();
  const port = await pool.spawn(ClonedTasks).port();
  assertType<Equal<typeof port, MessagePort>>();
  port.close();
  await pool.close();
}

export async function otherFormsAreCloned(): Promise<void> {
  // Pool-less spawn, both forms.
  const money = spawn(ClonedTasks).makeMoney(1);
  assertType<Equal<typeof money, Promise<{ readonly cents: number }>>>();
  // @ts-expect-error pool-less results are copies too
  (await spawn(ClonedTasks.makeMoney, 1)).format();
  // @ts-expect-error and with per-call options
  (await spawn.with({ timeout: 100 }).spawn(ClonedTasks).makeMoney(1)).format();
  // The inline pool clones as a thread does.
  const inline = ThreadPool.inline({ context: Counter });
  // @ts-expect-error inline results are copies too
  (await inline.spawn(ClonedTasks).makeMoney(1)).format();
  const counted = inline.spawn(MathTasks).incr(1);
  assertType<Equal<typeof counted, Promise<number>>>();
  await inline.close();
}

export async function argumentsDeclaredAsCloned(): Promise<void> {
  const pool = new ThreadPool({ threads: 1 });
  // A task that declares `Cloned<Money>` takes a Money (its data is what arrives) or plain data.
  const doubled = pool.spawn(ClonedTasks).double(new Money(2));
  assertType<Equal<typeof doubled, Promise<number>>>();
  await pool.spawn(ClonedTasks).double({ cents: 2 });
  // @ts-expect-error still typed: the data must be there
  await pool.spawn(ClonedTasks).double({ euros: 2 });
  await pool.close();
}
