import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleStart, FileStart, ThreadStart } from '../shared/protocol';
import { bundleLoader } from '../shared/bundle-code-cache';
import { WORKER_BOOTSTRAP } from './call';

/** What this module uses of src/shared/code-cache.cjs. */
interface CodeCacheFiles {
  readBundle(file: string): BundleStart | undefined;
  cacheFileOf(file: string): string;
  workerSide(dir: string): { kind: 'bundle'; file: string } | FileStart;
  codeCacheSwitchedOff(): boolean;
}

/** The loader's functions, and which file the threads load the worker side from (with its cache file's name): worked out once per process. */
let files: CodeCacheFiles | undefined;
let side: ({ kind: 'bundle'; file: string; cacheFile: string }) | FileStart | undefined;
/** The bundle and its code cache as last read, with the cache's data on a `SharedArrayBuffer`. */
let read: BundleStart | undefined;
/** What the cache file was when `read` was read (see {@link fileIdentity}). */
let readFrom = '';

/**
 * How a thread started now loads the worker side (`workerData.start`: see src/worker/bootstrap.cjs).
 * From a build, the bundle dist/worker/thread.js with its V8 code cache, read and checked here
 * once (src/shared/code-cache.cjs) rather than by every thread, and read again only when the cache
 * file changed (a thread saved one, say): each thread gets the source, and the cache's data on one
 * `SharedArrayBuffer` that every thread shares, so that none reads a file of the library to start.
 * With the cache switched off here (source maps, `ASYNCTHREADPOOL_CODE_CACHE=0`), the bundle as
 * it is; from the sources or a build by tsc alone, the entry file to require. Never throws.
 */
export function threadStart(): ThreadStart | undefined {
  try {
    return readStart();
  } catch {
    // Unreadable here (a build removed or changed under this process): each thread tries itself,
    // from the files next to its start file, and fails as a thread does, not this call.
    files = undefined;
    side = undefined;
    read = undefined;
    return undefined;
  }
}

function readStart(): ThreadStart {
  files ??= codeCacheFiles();
  side ??= sideOf(files);
  if (side.kind === 'file') return side;
  if (files.codeCacheSwitchedOff()) return { kind: 'off', file: side.file };
  const identity = fileIdentity(side.cacheFile);
  if (read === undefined || identity !== readFrom) {
    const bundle = files.readBundle(side.file);
    if (bundle === undefined) return { kind: 'off', file: side.file };
    // Taken before the read: a cache saved meanwhile is read at the next start.
    readFrom = identity;
    read = sharedCache(bundle);
  }
  return read;
}

/**
 * {@link threadStart} for a pool's threads, read as its Piscina is made (an elastic pool makes one
 * for each thread above its minimum): without a cache, its threads look for one a thread saved
 * since (`recheck`).
 */
export function poolStart(): ThreadStart | undefined {
  const start = threadStart();
  return start?.kind === 'bundle' && start.found !== 'found' ? { ...start, recheck: true } : start;
}

/**
 * src/shared/code-cache.cjs: the copy the package index compiled as part of itself where it loaded
 * its bundle (which puts it on the bundle's module), or else the file.
 */
function codeCacheFiles(): CodeCacheFiles {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, shared with the package index's first statement
  return (bundleLoader(require.cache[path.join(__dirname, '..', 'index.bundle.js')]) ?? require('../shared/code-cache.cjs')) as CodeCacheFiles;
}

/** Which file the threads load the worker side from, next to their start file. */
function sideOf(loader: CodeCacheFiles): NonNullable<typeof side> {
  const found = loader.workerSide(path.dirname(WORKER_BOOTSTRAP));
  return found.kind === 'file' ? found : { ...found, cacheFile: loader.cacheFileOf(found.file) };
}

/** `bundle` with its cache's data copied onto a `SharedArrayBuffer`: no thread copies it. */
function sharedCache(bundle: BundleStart): BundleStart {
  const { cachedData } = bundle;
  if (cachedData === undefined) return bundle;
  const shared = new Uint8Array(new SharedArrayBuffer(cachedData.length));
  shared.set(cachedData);
  return { ...bundle, cachedData: shared };
}

/** A file's inode, size and modification time, or `none`: what changes when the file is replaced. */
function fileIdentity(file: string): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat === undefined ? 'none' : `${String(stat.ino)} ${String(stat.size)} ${String(stat.mtimeMs)}`;
}
