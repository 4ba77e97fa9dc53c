// Example 2 of the README: run a task on a temporary background thread, with no pool.
import { spawn } from '../src';
import { MyTasks } from '../tasks/readme';

export async function main(): Promise<number> {
  const r = await spawn(MyTasks).myTask(2, 3);
  return r; // 5
}

if (require.main === module) void main().then((r) => { console.log(r); });
