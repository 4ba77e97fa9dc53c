import { DistStartTasks } from './dist-tasks';
import { timeStart } from './time-start';

/**
 * `B-dist` of `node bench/ab-ts-jest.cjs`: start.bench-test.ts's pool as a user's jest run has it,
 * the library from its build (dist/, an installed package) and a TypeScript task module
 * (dist-tasks.ts) that the threads load through the hook. Same figures as floor.ab-test.ts.
 */
test('a 2-thread pool of the build with a TypeScript task module starts under ts-jest', async () => {
  await timeStart(DistStartTasks);
});
