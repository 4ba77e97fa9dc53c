import { types } from 'node:util';
import { MessagePort, type Transferable } from 'node:worker_threads';

const MOVED = Symbol.for('asyncthreadpool.moved');

/** What `move()` returns at run time: the value and what to transfer with it. */
interface Moved {
  readonly [MOVED]: true;
  readonly value: unknown;
  readonly transfer: readonly Transferable[];
}

/**
 * Moves a value to the other thread instead of copying it: an `ArrayBuffer`, a typed array's or
 * `DataView`'s buffer, or a `MessagePort` is transferred (left detached, zero-length, on this side).
 * For any other value, name what to transfer in `transfer`. Use it on an argument (top level) of a
 * call, or on a task's return value to move the result back.
 *
 * Typed as the value itself, so a moved argument fits the task's parameter.
 *
 * @example
 * ```ts
 * import { move, ThreadPool } from 'asyncthreadpool';
 * import { BufferTasks } from './tasks/buffers';
 *
 * const pool = new ThreadPool({ threads: 1 });
 * const bytes = new Uint8Array(1 << 20);
 * const sum = await pool.spawn(BufferTasks).sum(move(bytes)); // bytes.byteLength is now 0
 * console.log(sum);
 * await pool.close();
 * ```
 */
export function move<T>(value: T, transfer?: readonly Transferable[]): T {
  const list = transfer ?? defaultTransfer(value);
  const moved: Moved = { [MOVED]: true, value, transfer: list };
  return moved as unknown as T;
}

function defaultTransfer(value: unknown): Transferable[] {
  if (value instanceof ArrayBuffer) return [value];
  if (ArrayBuffer.isView(value) && !(value.buffer instanceof SharedArrayBuffer)) return [value.buffer];
  if (value instanceof MessagePort) return [value];
  return [];
}

/** Whether a value is a `move()` wrapper (from any copy of the library). A Proxy never is: its traps are not run. */
export function isMoved(value: unknown): value is Moved {
  return typeof value === 'object' && value !== null && !types.isProxy(value) && (value as Record<symbol, unknown>)[MOVED] === true;
}

/** The arguments with `move()` wrappers opened, and what they transfer; the same array if none. */
export function unwrapMoved(args: readonly unknown[]): { args: readonly unknown[]; transfer: Transferable[] } {
  let out: unknown[] | undefined;
  const transfer: Transferable[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (isMoved(arg)) {
      out ??= args.slice();
      out[i] = arg.value;
      transfer.push(...arg.transfer);
    }
  }
  return { args: out ?? args, transfer };
}
