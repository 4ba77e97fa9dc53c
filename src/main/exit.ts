import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Pools left open when the program ends. Outside jest: when the program has nothing else left to
 * do (`beforeExit`), every open pool is closed gracefully (its contexts' `dispose()` runs, bounded
 * by `contextTimeout` when set), then the process exits as it would have, with its exit code. Under
 * jest (whose test files never reach `beforeExit`): at the end of each test file, each pool still
 * open is reported on stderr in one line naming where it was created, then closed the same way.
 *
 * One `beforeExit` listener for all the pools, there only while some pool is open; it holds the
 * open pools (to close them) but keeps nothing alive: a listener is no handle.
 */

/** A pool as this module sees it. */
interface Watched {
  readonly close: () => Promise<void>;
  /** The creation stack, captured (not formatted) when the pool was made. */
  readonly site: { stack?: string };
}

const open = new Set<Watched>();
let listening = false;
/** The jest-circus event handler is added once per module instance (jest loads one per test file). */
let jestHooked = false;

/** This library's own files (src/ or dist/), skipped when naming where a pool was created. */
const OWN_DIR = path.dirname(__filename) + path.sep;

/**
 * Watches a new pool until `unwatch()` (its `close()` or `destroy()` was called). `site` comes from
 * `Error.captureStackTrace` in the pool's constructor: V8 formats it only if it is ever reported.
 */
export function watchUnclosed(close: () => Promise<void>, site: { stack?: string }): () => void {
  const watched: Watched = { close, site };
  open.add(watched);
  if (!hookJest()) listen();
  return () => {
    if (!open.delete(watched)) return;
    if (open.size === 0) unlisten();
  };
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('beforeExit', onBeforeExit);
}

function unlisten(): void {
  if (!listening) return;
  listening = false;
  process.off('beforeExit', onBeforeExit);
}

/**
 * Nothing else is left to do: close the open pools. Their closing keeps the process alive (a
 * context being disposed holds its thread's reference); once done, `beforeExit` comes again with no
 * listener of ours, and the process exits. A failed dispose is a warning, never a new exit code.
 */
function onBeforeExit(): void {
  const pools = [...open];
  open.clear();
  unlisten();
  for (const pool of pools) {
    pool.close().catch((error: unknown) => {
      process.emitWarning(`A pool left open (created at ${siteOf(pool)}) was closed at exit: ${messageOf(error)}`, {
        type: 'AsyncThreadPoolWarning',
        code: 'ASYNCTHREADPOOL_CLOSE_AT_EXIT',
      });
    });
  }
}

/** The handlers of jest-circus's events (`run_finish` ends a test file), if this runs in a jest test file. */
function jestHandlers(): unknown[] | undefined {
  if (process.env.JEST_WORKER_ID === undefined) return undefined;
  const handlers = (globalThis as Record<symbol, unknown>)[Symbol.for('EVENT_HANDLERS')];
  return Array.isArray(handlers) ? handlers : undefined;
}

/** Under jest, reports and closes open pools at the end of the test file; false when not under jest. */
function hookJest(): boolean {
  if (jestHooked) return true;
  const handlers = jestHandlers();
  if (handlers === undefined) return false;
  jestHooked = true;
  handlers.push(async (event: { name?: unknown }) => {
    if (event.name !== 'run_finish') return;
    const pools = [...open];
    open.clear();
    for (const pool of pools) {
      process.stderr.write(
        `asyncthreadpool: a pool created at ${siteOf(pool)} was still open at the end of the test file; closing it (close it in the test or in afterAll)\n`,
      );
    }
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
  });
  return true;
}

/** Where a pool was created: the first frame outside this library, relative to the working directory. */
function siteOf(pool: Watched): string {
  for (const line of (pool.site.stack ?? '').split('\n')) {
    const frame = /^\s+at (?:.*?\()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (frame === null) continue;
    const [, location = '', row = '', column = ''] = frame;
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (file.startsWith(OWN_DIR) || file.startsWith('node:')) continue;
    const shown = path.isAbsolute(file) ? path.relative(process.cwd(), file) : file;
    return `${shown}:${row}:${column}`;
  }
  return 'an unknown place (no stack trace)';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
