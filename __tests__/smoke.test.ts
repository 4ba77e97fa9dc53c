import { ThreadPool, spawn } from '../src';
import { Counter, MathTasks } from '../tasks/math';

test('smoke', async () => {
  const pool = new ThreadPool({ threads: 2 });
  expect(await pool.spawn(MathTasks).add(3, 2)).toBe(5);
  expect(await pool.spawn(MathTasks.add, 3, 2)).toBe(5);
  await pool.close();
  const one = new ThreadPool({ context: Counter, threads: 1 });
  expect(await one.spawn(MathTasks).incr(1)).toBe(1);
  expect(await one.spawn(MathTasks).incr(2)).toBe(3);
  expect(await one.spawn(MathTasks).get(10)).toBe(13);
  await one.close();
  expect(await spawn(MathTasks).add(2, 3)).toBe(5);
  expect(await spawn(MathTasks).incr(4)).toBe(4);
});
