// Example 3 of the README: a single-threaded pool whose thread keeps a MyContext between tasks.
import { ThreadPool } from '../src';
import { MyContext, MyTasks } from '../tasks/readme';

export async function main(): Promise<number[]> {
  const t = new ThreadPool({ context: MyContext, threads: 1 });
  const first = await t.spawn(MyTasks).myTaskWithContext(3, 2); // increments the thread's context
  const second = await t.spawn(MyTasks).myTaskWithContext(3, 2); // increments it again
  const r = await t.spawn(MyTasks).getContext();
  await t.close();
  return [first, second, r]; // [5, 5, 2]
}

if (require.main === module) void main().then((r) => { console.log(r); });
