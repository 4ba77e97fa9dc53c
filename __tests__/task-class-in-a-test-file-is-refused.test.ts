import { spawn, task, ThreadContext, ThreadPool } from '../src';
import { entryModuleAdvice, isTestFile } from '../src/shared/locate';
import { expectCode, thrownBy } from './helpers';

// Declared here on purpose, against the rule that task classes live in fixtures: this file is the
// behaviour under test (a user's task and context classes written inside a jest test file).
export class InTestContext {
  calls = 0;
}

class InTestTasks {
  @task static add(a: number, b: number): number {
    return a + b;
  }

  @task static count(@ThreadContext() ctx: InTestContext): number {
    return ++ctx.calls;
  }
}

const MOVE_IT = /into a module of its own .*import it from the test/;
// This line also puts the old advice's guard in this file's code, as a user who followed it would:
// a test file stays refused (a thread loading it would fail on `describe`), guard or not.
const GUARD_ADVICE = 'run the program only under `if (require.main === module)`';

describe('a task or context class declared in a jest test file', () => {
  test('a call on a pool rejects with ERR_INVALID_TASK, saying to move the class out (not to guard the file)', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const error = await pool.spawn(InTestTasks).add(1, 2).catch((e: unknown) => e);
    await pool.close();
    expectCode(error, 'ERR_INVALID_TASK');
    expect((error as Error).message).toMatch(MOVE_IT);
    expect((error as Error).message).not.toContain(GUARD_ADVICE);
  });

  test('a pool-less spawn rejects the same way', async () => {
    const error = await spawn(InTestTasks).add(1, 2).catch((e: unknown) => e);
    expectCode(error, 'ERR_INVALID_TASK');
    expect((error as Error).message).toMatch(MOVE_IT);
    expect((error as Error).message).not.toContain(GUARD_ADVICE);
  });

  test('a pool with a context class from the test file is refused with ERR_CONTEXT_NOT_FOUND, with the same advice', () => {
    const error = thrownBy(() => new ThreadPool({ context: InTestContext, threads: 1 }));
    expectCode(error, 'ERR_CONTEXT_NOT_FOUND');
    expect((error as Error).message).toMatch(MOVE_IT);
    expect((error as Error).message).not.toContain(GUARD_ADVICE);
  });

  test('the inline pool runs them (it loads nothing on a thread)', async () => {
    const pool = ThreadPool.inline({ context: InTestContext });
    expect(await pool.spawn(InTestTasks).add(1, 2)).toBe(3);
    expect(await pool.spawn(InTestTasks).count()).toBe(1);
    await pool.close();
  });
});

describe('the advice for an entry module depends on what it is', () => {
  test.each([
    ['/app/src/quote.test.ts', true],
    ['/app/src/quote.spec.ts', true],
    ['/app/test/quote.test.mjs', true],
    ['C:\\app\\src\\quote.spec.tsx', true],
    ['/app/__tests__/quote.ts', true], // made the entry by jest, not started by Node
    [__filename, true],
    ['/app/src/main.ts', false],
    ['/app/dist/server.js', false],
    ['/app/src/latest.ts', false],
  ])('%s is a test file: %p', (file, expected) => {
    expect(isTestFile(file)).toBe(expected);
  });

  test('a program under __tests__/ that Node was started with is not a test file (its guard counts)', () => {
    const started = process.argv[1];
    process.argv[1] = '/app/__tests__/fixtures/program.ts';
    try {
      expect(isTestFile('/app/__tests__/fixtures/program.ts')).toBe(false);
    } finally {
      process.argv[1] = started ?? '';
    }
  });

  test('a program is told to move the class or guard its program; a test file only to move it', () => {
    expect(entryModuleAdvice('/app/src/main.ts', 'task class')).toContain(GUARD_ADVICE);
    expect(entryModuleAdvice('/app/src/main.ts', 'task class')).not.toMatch(MOVE_IT);
    expect(entryModuleAdvice('/app/src/quote.test.ts', 'task class')).toMatch(MOVE_IT);
    expect(entryModuleAdvice('/app/src/quote.test.ts', 'task class')).not.toContain(GUARD_ADVICE);
  });
});
