import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { task, ThreadContext } from '../src';
import { expectCode, thrownBy } from './helpers';

class Ctx {}

describe('decorator misuse throws a coded error while the class is declared', () => {
  test('a task name used twice', () => {
    class First {
      @task({ name: 'dup.name' }) static a(): number {
        return 1;
      }
    }
    expect(First).toBeDefined();
    const error = thrownBy(() => {
      class Second {
        @task({ name: 'dup.name' }) static b(): number {
          return 2;
        }
      }
      return Second;
    });
    expectCode(error, 'ERR_DUPLICATE_TASK');
    expect((error as Error).message).toContain('First.a');
  });

  test('@task on an instance method', () => {
    const error = thrownBy(() => {
      class Instance {
        @task run(): number {
          return 1;
        }
      }
      return Instance;
    });
    expectCode(error, 'ERR_INVALID_TASK');
  });

  test('@task on a static property', () => {
    const error = thrownBy(() => {
      class Property {
        // @ts-expect-error -- @task is typed for methods only; this checks the run-time guard too
        @task static value = 1;
      }
      return Property;
    });
    expectCode(error, 'ERR_INVALID_TASK');
  });

  test('@task on a getter', () => {
    const error = thrownBy(() => {
      class Getter {
        @task static get value(): number {
          return 1;
        }
      }
      return Getter;
    });
    expectCode(error, 'ERR_INVALID_TASK');
  });

  test('@task on a class', () => {
    const error = thrownBy(() => { (task as unknown as (c: Function) => void)(class Whole {}); });
    expectCode(error, 'ERR_INVALID_TASK');
  });

  test('two @ThreadContext() on one method', () => {
    const error = thrownBy(() => {
      class Twice {
        @task static both(@ThreadContext() a: Ctx, @ThreadContext() b: Ctx): boolean {
          return a === b;
        }
      }
      return Twice;
    });
    expectCode(error, 'ERR_DUPLICATE_CONTEXT_PARAMETER');
  });

  test('@ThreadContext() on a method that is not a task, followed by a task', () => {
    const error = thrownBy(() => {
      class Stray {
        static helper(@ThreadContext() ctx: Ctx): Ctx {
          return ctx;
        }
        @task static real(): number {
          return 1;
        }
      }
      return Stray;
    });
    expectCode(error, 'ERR_CONTEXT_WITHOUT_TASK');
    expect((error as Error).message).toContain('Stray.helper');
  });

  test('@ThreadContext() on the last method of a class fails as soon as its module finishes loading', async () => {
    // Nothing follows the stray decorator, so the error surfaces right after the module's
    // evaluation: a module that declares it cannot load. Observed in a thread of its own.
    const fixture = path.join(__dirname, 'fixtures', 'stray-context.ts');
    const hook = path.join(__dirname, '..', 'src', 'shared', 'ts-hook.cjs');
    const worker = new Worker(`require(${JSON.stringify(hook)}).install(); require(${JSON.stringify(fixture)});`, { eval: true });
    const error = await new Promise<unknown>((resolve) => worker.once('error', resolve));
    expect((error as { code?: unknown }).code).toBe('ERR_CONTEXT_WITHOUT_TASK');
    expect((error as Error).message).toContain('Lonely.helper');
    await worker.terminate();
  });
});
