// Streaming tasks: an async generator task is iterated by the caller with `for await`. Items come
// under backpressure: at most highWaterMark of them (default 16, or with({ highWaterMark })) wait
// unconsumed, and the task pauses at its `yield` until the caller takes more (a small primitive,
// such as a number, counts as 1/64 of an item, so 64 times as many numbers may wait). `break` stops the
// task: its generator's `finally` runs on the thread, which is then free. A throw in the task
// rejects the iteration after the items yielded before it. A plain generator task (`*squares`)
// streams the same way, faster where its items need no awaiting.
import { ThreadPool } from '../src';
import { CsvTasks, StreamLog } from '../tasks/examples-streams';

export async function main() {
  const pool = new ThreadPool({ threads: 1, context: StreamLog });
  const csv = pool.spawn(CsvTasks);

  const rows: Record<string, string>[] = [];
  for await (const row of csv.rows('id,fruit\n1,apple\n2,banana\n3,cherry')) rows.push(row);

  // An endless generator, read slowly, with room for 4 items: it never gets far ahead.
  const taken: number[] = [];
  for await (const { n } of pool.with({ highWaterMark: 4 }).spawn(CsvTasks).naturals()) {
    taken.push(n);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a slow consumer
    if (n === 10) break; // ends the task; its `finally` has run once the loop is left
  }
  const log = await csv.log();

  const before: string[] = [];
  let error = '';
  try {
    for await (const row of csv.rows('id,fruit\n1,apple\n2')) before.push(row.fruit ?? '');
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }

  const squares: number[] = [];
  for await (const square of csv.squares(5)) squares.push(square);

  await pool.close();
  return {
    rows, // [{ id: '1', fruit: 'apple' }, { id: '2', fruit: 'banana' }, { id: '3', fruit: 'cherry' }]
    taken: taken.length, // 10
    aheadAtMost4: log.produced - taken.length <= 4, // backpressure bounded the generator
    closed: log.closed, // 1: break ran its finally on the thread
    before, // ['apple']: delivered before the throw
    error, // 'SyntaxError: line 3 has 1 fields, not 2'
    squares, // [1, 4, 9, 16, 25]
  };
}

if (require.main === module) void main().then((r) => { console.log(r); });
