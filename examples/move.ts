// Moving instead of copying: move(bytes) transfers the buffer to the thread (it is detached here),
// and a task can `return move(result)` to transfer its result back.
import { move, ThreadPool } from '../src';
import { BufferTasks } from '../tasks/buffers';

export async function main() {
  const pool = new ThreadPool({ threads: 1 });

  // Moved: the thread receives the whole 64 KiB buffer, and this side's view of it is now empty.
  const bytes = new Uint8Array(64 * 1024).fill(1);
  const received = await pool.spawn(BufferTasks).describe(move(bytes));
  const lengthAfterMove = bytes.byteLength; // 0: detached

  // Copied (the default): the thread sums a copy; this side keeps its bytes.
  const kept = new Uint8Array(1024).fill(2);
  const copiedSum = await pool.spawn(BufferTasks).sum(kept);

  // Moved back: BufferTasks.make ends with `return move(bytes)`.
  const made = await pool.spawn(BufferTasks).make(4096);

  await pool.close();
  // { received: { length: 65536, bufferLength: 65536 }, lengthAfterMove: 0, copiedSum: 2048,
  //   lengthAfterCopy: 1024, madeBack: 4096 }
  return { received, lengthAfterMove, copiedSum, lengthAfterCopy: kept.byteLength, madeBack: made.byteLength };
}

if (require.main === module) void main().then((r) => { console.log(r); });
