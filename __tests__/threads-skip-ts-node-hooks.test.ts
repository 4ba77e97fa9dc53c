import { Worker } from 'node:worker_threads';
import { threadExecArgv } from '../src/main/exec-argv';

describe("threads start with the process's Node options, less ts-node's require hooks", () => {
  test.each([
    [['-r', 'ts-node/register'], []],
    [['-r', 'ts-node/register/transpile-only', '--expose-gc'], []],
    [['--require', 'ts-node/register/files', '--enable-source-maps', '-r', 'dotenv/config'], ['--enable-source-maps', '-r', 'dotenv/config']],
    [['--require=ts-node/register', '--conditions', 'dev', '--max-old-space-size=512'], ['--conditions', 'dev']],
  ])('%j -> %j', (given, kept) => {
    expect(threadExecArgv(given)).toEqual(kept);
  });

  test('with no ts-node hook, the threads inherit everything (no explicit list)', () => {
    expect(threadExecArgv(['--expose-gc', '--import', 'tsx'])).toBeUndefined();
    expect(threadExecArgv([])).toBeUndefined();
  });

  test('an explicit list is one that Node accepts for a worker', async () => {
    const execArgv = threadExecArgv(['-r', 'ts-node/register', '--expose-gc', '--enable-source-maps', '--max-old-space-size=512']);
    const worker = new Worker('require("node:worker_threads").parentPort.postMessage(process.execArgv)', { eval: true, execArgv });
    const seen = await new Promise((resolve) => worker.once('message', resolve));
    expect(seen).toEqual(['--enable-source-maps']);
    await worker.terminate();
  });
});
