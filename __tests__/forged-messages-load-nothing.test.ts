import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { WORKER_BOOTSTRAP } from '../src/main/call';
import { moduleRegistry } from '../src/shared/manifest';
import type { MessagePort } from 'node:worker_threads';
import type { ControlRequest, ControlResponse, HelloMessage, PoolWorkerData, TaskRequest, TaskResponse } from '../src/shared/protocol';
import { MathTasks } from '../tasks/math';
import { ModuleB } from './fixtures/modules/b';

/**
 * Threads load only modules that registered tasks in the process that owns them. Here the main
 * thread forges requests the pool would never build and posts them straight to a thread's control
 * port, as the pool posts its calls.
 */
describe('a forged request', () => {
  const mark = path.join(os.tmpdir(), `asyncthreadpool-evil-${String(process.pid)}`);
  const evil = path.join(__dirname, 'fixtures', 'evil.ts');
  let piscina: Piscina;
  let control: Promise<MessagePort>;

  beforeAll(() => {
    expect(MathTasks.add(1, 1)).toBe(2); // registered here: its module is allowed
    expect(ModuleB.hello()).toBe('b');
    const workerData: PoolWorkerData = { kind: 'asyncthreadpool:pool', context: null, modules: moduleRegistry(), spinWait: 0 };
    piscina = new Piscina({
      filename: WORKER_BOOTSTRAP,
      name: 'handler',
      minThreads: 1,
      maxThreads: 1,
      atomics: 'disabled',
      workerData,
      env: { ...process.env, ASYNCTHREADPOOL_EVIL_MARK: mark },
    });
    // The thread's control port (where a pool posts its calls), once the thread says it is ready.
    control = new Promise((resolve) => {
      piscina.once('message', (hello: HelloMessage) => {
        hello.port.once('message', (status: ControlResponse) => {
          expect(status.type).toBe('ready');
          resolve(hello.port);
        });
      });
    });
  });
  afterAll(async () => {
    (await control).close();
    await piscina.destroy();
    fs.rmSync(mark, { force: true });
  });

  async function send(request: TaskRequest): Promise<TaskResponse> {
    const port = await control;
    return new Promise((resolve) => {
      port.once('message', (reply: ControlResponse) => {
        if (reply.type === 'result') resolve(reply.response);
      });
      const run: ControlRequest = { type: 'run', requests: [request] };
      port.postMessage(run);
    });
  }

  function codeOf(response: TaskResponse): unknown {
    return response.ok ? undefined : response.error.kind === 'error' ? response.error.props.code : undefined;
  }

  test('naming a module that registered no tasks: refused, and the module is never loaded', async () => {
    const response = await send({ task: 'Evil.run', module: evil, args: [] });
    expect(codeOf(response)).toBe('ERR_TASK_NOT_REGISTERED');
    expect(fs.existsSync(mark)).toBe(false);
  });

  test('naming a path outside the registry (relative, or a system file): refused', async () => {
    for (const module of ['../fixtures/evil.ts', '/etc/passwd', '', 'node:child_process']) {
      expect(codeOf(await send({ task: 'x', module, args: [] }))).toBe('ERR_TASK_NOT_REGISTERED');
    }
    expect(codeOf(await send({ task: 'x', module: 42 as unknown as string, args: [] }))).toBe('ERR_TASK_NOT_REGISTERED');
  });

  test('naming a registered module with a task it does not define: refused', async () => {
    const response = await send({ task: 'MathTasks.add', module: require.resolve('./fixtures/modules/b'), args: [1, 2] });
    expect(codeOf(response)).toBe('ERR_TASK_NOT_REGISTERED');
  });

  test('arguments are data only: a path among them loads nothing', async () => {
    const response = await send({ task: 'MathTasks.add', module: require.resolve('../tasks/math'), args: [evil, 1] });
    expect(response).toEqual({ ok: true, value: `${evil}1` });
    expect(fs.existsSync(mark)).toBe(false);
  });
});
