// Example 1 of the README: spawn a task on a pool and await its result.
import { ThreadPool } from '../src';
import { MyTasks } from '../tasks/readme';

export async function main(): Promise<number> {
  const pool = new ThreadPool();
  const r = await pool.spawn(MyTasks).myTask(3, 2);
  await pool.close();
  return r; // 5
}

if (require.main === module) void main().then((r) => { console.log(r); });
