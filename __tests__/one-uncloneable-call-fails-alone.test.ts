import { ThreadPool } from '../src';
import { CrashingTasks } from './fixtures/crashes';
import { expectCode, rejectionOf } from './helpers';
import { holdThread } from './helpers-pool';

/**
 * A call whose argument structured clone refuses fails alone: its neighbours in a backlog (sent to a
 * thread several calls per message) resolve with their values, whether the bad value is caught at
 * the call site or only when the batch is posted.
 */
describe('one uncloneable call in a backlog fails alone', () => {
  /** A value that reads as cloneable to the call-site check and holds a function when it is posted. */
  function changesAfterTheCheck(): object {
    let reads = 0;
    return {
      get x(): unknown {
        reads++;
        return reads === 1 ? 1 : () => 1;
      },
    };
  }

  const disguisedPromise = (): object => Object.defineProperty(Promise.resolve(1), Symbol.toStringTag, { value: 'Object' });

  test.each([
    ['a Proxy', 200, (): object => new Proxy({ a: 1 }, {})],
    ['a Promise disguised with Symbol.toStringTag', 200, disguisedPromise],
    ['an array with a function in a named property', 200, (): object => Object.assign([1, 2], { cb: () => 1 })],
    ['a value that changes after the check', 200, changesAfterTheCheck],
    ['a value that changes after the check', 150, changesAfterTheCheck],
  ])('%s as call #%i: every other call of 200 resolves with its value', async (_label, position, guilty) => {
    const pool = new ThreadPool({ threads: 1 });
    const { held, release } = await holdThread(pool);
    // Queued behind the held call, so that they go out in batches when it ends.
    const calls = Array.from({ length: 200 }, (_, i) => pool.spawn(CrashingTasks).echo(i + 1 === position ? guilty() : i + 1));
    release();
    await held;
    const outcomes = await Promise.allSettled(calls);
    outcomes.forEach((outcome, i) => {
      if (i + 1 === position) {
        expect(outcome.status).toBe('rejected');
        expectCode((outcome as PromiseRejectedResult).reason, 'ERR_UNCLONEABLE');
        expect(((outcome as PromiseRejectedResult).reason as Error).message).toContain('CrashingTasks.echo');
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: i + 1 });
      }
    });
    // The backlog did go out in batches, and the thread goes on.
    expect(pool.stats.messages).toBeLessThan(100);
    expect(await pool.spawn(CrashingTasks).echo('after')).toBe('after');
    await pool.close();
  });

  test('a lone call whose value changes after the check: ERR_UNCLONEABLE naming the argument, with the clone error as cause', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await rejectionOf(pool.spawn(CrashingTasks).echo(changesAfterTheCheck()));
    expectCode(error, 'ERR_UNCLONEABLE');
    expect((error as Error).message).toContain('Argument 0 of CrashingTasks.echo');
    expect(((error as Error).cause as Error).name).toBe('DataCloneError');
    expect(await pool.spawn(CrashingTasks).echo(1)).toBe(1);
    await pool.close();
  });
});
