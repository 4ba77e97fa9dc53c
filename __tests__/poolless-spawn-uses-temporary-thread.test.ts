import { threadId } from 'node:worker_threads';
import { spawn } from '../src';
import { MathTasks } from '../tasks/math';
import { ThreadTasks } from './fixtures/barrier';
import { ScratchTasks } from './fixtures/contexts';
import { CancellableTasks } from './fixtures/cancellable';
import { expectCode, watchWorkerExits, rejectionOf, sharedCounter, thrownBy, untilAtLeast } from './helpers';
import { runNode } from './helpers-process';

describe('pool-less spawn', () => {
  test('runs both forms on a background thread', async () => {
    expect(await spawn(MathTasks).add(2, 3)).toBe(5);
    expect(await spawn(MathTasks.add, 2, 3)).toBe(5);
    expect(await spawn(MathTasks).sleepAdd(1, 2, 5)).toBe(3);
    const where = await spawn(ThreadTasks).whoAmI();
    expect(where).not.toBe(threadId);
  });

  test('uses a new thread for every call', async () => {
    const a = await spawn(ThreadTasks.whoAmI);
    const b = await spawn(ThreadTasks.whoAmI);
    expect(a).not.toBe(b);
  });

  test('gives a context task a fresh instance of its declared class, init()-ed', async () => {
    const first = await spawn(ScratchTasks).use('a');
    const second = await spawn(ScratchTasks.use, 'b');
    expect(first.log).toEqual(['init', 'a']);
    expect(second.log).toEqual(['init', 'b']);
    expect(first.threadId).not.toBe(second.threadId);
    // Counter: incr on a fresh context starts from zero every time.
    expect(await spawn(MathTasks).incr(4)).toBe(4);
    expect(await spawn(MathTasks.incr, 4)).toBe(4);
  });

  test('101 sequential spawns leave no thread behind: each call settles after its thread exited', async () => {
    const workers = watchWorkerExits();
    try {
      for (let i = 0; i < 101; i++) {
        const where = await spawn(ThreadTasks.whoAmI);
        expect(workers.exited.has(where)).toBe(true);
      }
      expect(workers.started.size).toBe(101);
      expect(workers.exited).toEqual(workers.started);
    } finally {
      workers.stop();
    }
  });
});

describe('pool-less spawn output', () => {
  test("what the task and its context's dispose() print is not lost when the thread ends", async () => {
    const run = await runNode([require.resolve('./fixtures/temporary-output.cjs')]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => l === 'ran')).toHaveLength(5);
    expect(lines.filter((l) => l === 'disposed')).toHaveLength(5);
    expect(lines.filter((l) => l === 'result true')).toHaveLength(5);
  });
});

describe('pool-less spawn with per-call options (spawn.with)', () => {
  let workers: ReturnType<typeof watchWorkerExits>;
  beforeEach(() => {
    workers = watchWorkerExits();
  });
  afterEach(() => {
    workers.stop();
  });

  test('a timeout rejects with ERR_TASK_TIMEOUT and ends the thread, even one that never yields', async () => {
    // The timeout counts from the call, so the thread's start-up is part of it: on a loaded machine
    // it can strike before the task has started spinning. Then again with twice the time, until
    // it struck a task that was spinning (no clock decides the outcome, only how many rounds).
    for (let timeout = 300; ; timeout *= 2) {
      const started = sharedCounter();
      const error = await rejectionOf(spawn.with({ timeout }).spawn(CancellableTasks).spinForever(started));
      expectCode(error, 'ERR_TASK_TIMEOUT');
      if (Atomics.load(started, 0) === 1) {
        // Settled once the thread that was spinning was gone.
        expect(workers.exited.has(Atomics.load(started, 1))).toBe(true);
        break;
      }
    }
  });

  test('an abort rejects at once with AbortError (cause: the reason) and ends the thread', async () => {
    const started = sharedCounter();
    const controller = new AbortController();
    const call = spawn.with({ signal: controller.signal }).spawn(CancellableTasks).spinForever(started);
    await untilAtLeast(started, 0, 1);
    const spinning = Atomics.load(started, 1);
    expect(workers.exited.has(spinning)).toBe(false);
    const reason = new Error('enough');
    controller.abort(reason);
    const error = await rejectionOf(call);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ERR_TASK_ABORTED' });
    expect((error as Error).cause).toBe(reason);
    expect(workers.exited.has(spinning)).toBe(true);
  });

  test('an already aborted signal rejects without starting a thread', async () => {
    const started = sharedCounter();
    const error = await rejectionOf(spawn.with({ signal: AbortSignal.abort() }).spawn(CancellableTasks.spinForever, started));
    expect(error).toMatchObject({ name: 'AbortError', code: 'ERR_TASK_ABORTED' });
    expect(Atomics.load(started, 0)).toBe(0);
  });

  test('a call that finishes in time resolves as usual; bad options are refused at once', async () => {
    expect(await spawn.with({ timeout: 30_000, signal: new AbortController().signal }).spawn(MathTasks).add(2, 3)).toBe(5);
    expectCode(thrownBy(() => spawn.with({ timeout: -1 })), 'ERR_INVALID_OPTION');
    expectCode(thrownBy(() => spawn.with({ timout: 5 } as never)), 'ERR_INVALID_OPTION');
  });
});
