import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { main as argumentsAndResults } from '../examples/arguments-and-results';
import { main as backpressure } from '../examples/backpressure';
import { main as broadcast } from '../examples/broadcast';
import { main as elasticThreads } from '../examples/elastic-threads';
import { main as cancellationAndTimeouts } from '../examples/cancellation-and-timeouts';
import { main as errors } from '../examples/errors';
import { main as keyAffinity } from '../examples/key-affinity';
import { main as lifecycle } from '../examples/lifecycle';
import { main as move } from '../examples/move';
import { main as priorities } from '../examples/priorities';
import { main as progress } from '../examples/progress';
import { main as reliability } from '../examples/reliability';
import { main as stats } from '../examples/stats';
import { main as streams } from '../examples/streams';
import { main as tracing } from '../examples/tracing';
import { ROOT, runNode } from './helpers-process';

/** Each example of `examples/` runs and shows what its comments say. */
describe('examples/', () => {
  test('errors: a built-in class, an exported error class with its code, a coded library error', async () => {
    expect(await errors()).toEqual({
      builtIn: 'RangeError: quantity must be a positive integer, got 0',
      custom: 'OUT_OF_STOCK (sold-out)',
      libraryCode: 'ERR_TASK_NOT_REGISTERED',
    });
  });

  test('lifecycle: close() finishes the calls and disposes every context; destroy() rejects them and disposes none', async () => {
    expect(await lifecycle()).toEqual({
      closed: { finished: 10, disposed: 2, afterClose: 'ERR_POOL_CLOSED' },
      destroyed: { running: 'ERR_POOL_CLOSED', queued: 'ERR_POOL_CLOSED', disposed: 0 },
    });
  });

  test('cancellation-and-timeouts: abort and timeout reject with their codes; the task stops by itself on the same thread', async () => {
    // The example's 20 ms timeout counts from when the call is handed to the thread: on a loaded
    // machine it can strike before the thread has taken the call, which is then refused unrun (no
    // ending recorded). Then the example runs again, until the timeout struck a running crawl (no
    // clock decides the outcome, only how many rounds; a timeout that never reached a task: a hang).
    let result = await cancellationAndTimeouts();
    while (result.timedOut === 'ERR_TASK_TIMEOUT' && result.endings.length === 2) result = await cancellationAndTimeouts();
    expect(result).toEqual({
      aborted: 'AbortError, cause: user left',
      timedOut: 'ERR_TASK_TIMEOUT',
      finished: 3,
      endings: ['stopped by AbortError', 'stopped by AsyncThreadPoolError', 'finished 3 pages'],
    });
  });

  test('move: a moved buffer is detached here and whole there; a copied one stays; a result moves back', async () => {
    expect(await move()).toEqual({
      received: { length: 65_536, bufferLength: 65_536 },
      lengthAfterMove: 0,
      copiedSum: 2048,
      lengthAfterCopy: 1024,
      madeBack: 4096,
    });
  });

  test('backpressure: a full queue refuses spawn and trySpawn; a whenRoom() producer never overfills it', async () => {
    const r = await backpressure();
    expect(r).toMatchObject({ queuedWhenFull: 2, spawnWhenFull: 'ERR_QUEUE_FULL', trySpawnWhenFull: undefined, results: 100 });
    expect(r.waits).toBeGreaterThan(0); // the queue was full when the producer started
    expect(r.maxQueued).toBeLessThanOrEqual(2);
  });

  test('broadcast: one part per thread, each with its own context', async () => {
    expect(await broadcast()).toEqual({ perThread: [10, 10], counts: [11, 11], threads: 2 });
  });

  test('priorities: waiting calls leave by priority, in order within one; the running call is not interrupted', async () => {
    expect(await priorities()).toEqual({ finished: ['nightly report', 'search A', 'search B', 'email digest', 'bulk export'] });
  });

  test("key-affinity: a tenant's calls stay on one thread, so its cached price list is loaded once; tenants spread evenly", async () => {
    expect(await keyAffinity()).toEqual({ calls: 12, loads: 4, threadsPerTenant: [1, 1, 1, 1], tenantsPerThread: [2, 2], anyThreadPrice: 400 });
  });

  test('progress: two calls report their own progress; coalesced, increasing, the last report before the result', async () => {
    expect(await progress()).toEqual({
      low: { primes: 13848, lastAtResult: 1 },
      high: { primes: 25997, lastAtResult: 1 },
      increasing: true,
      coalesced: true,
    });
  });

  test('streams: rows stream in; backpressure bounds an endless generator; break runs its finally; a throw comes after the items before it; a plain generator streams', async () => {
    expect(await streams()).toEqual({
      rows: [
        { id: '1', fruit: 'apple' },
        { id: '2', fruit: 'banana' },
        { id: '3', fruit: 'cherry' },
      ],
      taken: 10,
      aheadAtMost4: true,
      closed: 1,
      before: ['apple'],
      error: 'SyntaxError: line 3 has 1 fields, not 2',
      squares: [1, 4, 9, 16, 25],
    });
  });

  test('tracing: one span per call on the diagnostics channel, with its thread, its queue wait and how it ended', async () => {
    expect(await tracing()).toEqual({
      spans: [
        { task: 'MathTasks.add', ranOnAThread: true, waitedMs: 'measured', status: 'ok' },
        { task: 'InventoryTasks.reserve', ranOnAThread: true, waitedMs: 'measured', status: 'OUT_OF_STOCK' },
        { task: 'MathTasks.add', ranOnAThread: true, waitedMs: 'measured', status: 'ok' },
      ],
      open: 0,
    });
  });

  test('elastic-threads: grows to max while calls wait, back to min once idle, each reaped context disposed', async () => {
    expect(await elasticThreads()).toEqual({
      atStart: 1,
      grown: 3,
      threadsUsed: 3,
      afterIdle: { threads: 1, started: 2, reaped: 2 },
      disposedBeforeClose: 2,
      disposed: 3,
    });
  });

  test('stats: counts every call and failure; batches a backlog; sane utilization and percentiles', async () => {
    const r = await stats();
    expect(r).toMatchObject({ threads: 2, completed: 200, failed: 1, queued: 0, running: 0 });
    expect(r.messages).toBeGreaterThan(0);
    expect(r.messages).toBeLessThan(201); // the 198-call backlog went out in batches
    expect(r.utilization).toBeGreaterThan(0);
    expect(r.utilization).toBeLessThanOrEqual(1);
    expect(r.runTimeMs.p50).toBeGreaterThan(0);
    expect(r.runTimeMs.max).toBeGreaterThanOrEqual(r.runTimeMs.p50);
  });

  test('arguments-and-results: copies, plain objects for class instances, shared memory, ERR_UNCLONEABLE', async () => {
    expect(await argumentsAndResults()).toEqual({
      map: { copy: true, apple: 3 },
      date: '1970-01-01T00:00:00.000Z',
      point: { isPoint: false, keys: ['x', 'y'] },
      pointBack: false,
      shared: 1,
      fn: 'ERR_UNCLONEABLE',
    });
  });

  test('reliability: a crashed thread is replaced with a new context; a context that cannot be built breaks the pool', async () => {
    expect(await reliability()).toEqual({
      counts: [1, 2],
      crash: 'ERR_WORKER_EXITED',
      exitCode: 3,
      afterCrash: 1,
      broken: ['ERR_CONTEXT_INIT_FAILED', 'ERR_CONTEXT_INIT_FAILED'],
      cause: 'connection refused',
    });
  });

  test('an example runs as a program and prints its result', async () => {
    const run = await runNode(['-r', 'ts-node/register/transpile-only', 'examples/broadcast.ts']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // console.log's layout, with line breaks and indents folded into single spaces.
    expect(run.stdout.replace(/\s+/g, ' ').trim()).toBe('{ perThread: [ 10, 10 ], counts: [ 11, 11 ], threads: 2 }');
  });
});

test('every example in examples/ is run by some test', () => {
  const examples = readdirSync(path.join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `examples/${file.split(path.sep).join('/').replace(/\.ts$/, '')}`);
  expect(examples.length).toBeGreaterThan(0);
  // What the tests import from examples/ or run there, e.g. '../examples/errors' or 'examples/x.ts'.
  const testDir = path.join(ROOT, '__tests__');
  const referenced = new Set<string>();
  for (const file of readdirSync(testDir).filter((name) => name.endsWith('.test.ts'))) {
    for (const match of readFileSync(path.join(testDir, file), 'utf8').matchAll(/examples\/[\w/-]+/g)) referenced.add(match[0]);
  }
  expect(examples.filter((example) => !referenced.has(example))).toEqual([]);
});
