import { timeStart } from './time-start';
import type { ThreadAnswer } from './tasks';

/**
 * The floor of `node bench/ab-ts-jest.cjs`: start.bench-test.ts's pool under the same jest and
 * ts-jest, but compiled, as a user with a built library and JavaScript task modules has it: the
 * library from dist/ and a .cjs task module (floor-tasks.cjs), so that no thread has TypeScript to
 * load. Same figures, written to `$ASYNCTHREADPOOL_BENCH_OUT` (or printed).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FloorTasks } = require('./floor-tasks.cjs') as { FloorTasks: (new () => unknown) & { hello(): ThreadAnswer } };

test('a 2-thread pool of the build with a JavaScript task module starts under jest', async () => {
  await timeStart(FloorTasks);
});
