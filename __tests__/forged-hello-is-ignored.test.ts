import { ThreadPool } from '../src';
import { ForgerTasks } from './fixtures/forgers';

/**
 * A task may post anything on `parentPort`, including a message shaped like the hello with which a
 * pool thread hands the main thread its control port. None is taken for the library's: a malformed
 * one never throws in the caller's process (it would crash it), and a well-formed one never takes
 * over a thread's calls. The pool goes on answering.
 */
describe('a task forging the library hello on parentPort', () => {
  let pool: ThreadPool;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };

  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', onUncaught);
    pool = new ThreadPool({ threads: 2 });
  });
  afterEach(async () => {
    process.off('uncaughtException', onUncaught);
    await pool.close();
  });

  /** Calls enough to reach every thread, several times over, after the forgery had time to arrive. */
  async function poolStillAnswers(): Promise<void> {
    for (let round = 0; round < 3; round++) {
      const values = Array.from({ length: 8 }, (_, i) => round * 8 + i);
      expect(await Promise.all(values.map((value) => pool.spawn(ForgerTasks).echo(value)))).toEqual(values);
    }
  }

  test('with no port: nothing is thrown in the caller, the pool answers', async () => {
    expect(await pool.spawn(ForgerTasks).helloWithoutPort()).toBe('posted');
    await poolStillAnswers();
    expect(uncaught).toEqual([]);
  });

  test("with a real port and its own thread's id: the thread's calls still come back", async () => {
    expect(await Promise.all([pool.spawn(ForgerTasks).helloWithOwnPort(), pool.spawn(ForgerTasks).helloWithOwnPort()])).toEqual(['posted', 'posted']);
    await poolStillAnswers();
    expect(uncaught).toEqual([]);
  });

  test('for every thread id, with what workerData shows: no thread is taken over; the secret is not there to read', async () => {
    expect(await pool.spawn(ForgerTasks).seesNonce()).toBe(false);
    expect(await pool.spawn(ForgerTasks).helloForEveryThread()).toBe('posted');
    await poolStillAnswers();
    expect(uncaught).toEqual([]);
  });
});
