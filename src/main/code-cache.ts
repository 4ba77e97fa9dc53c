import * as path from 'node:path';
import { bundleCodeCache } from '../shared/bundle-code-cache';

let asked = false;

/**
 * Saves the main side's V8 code cache (of dist/index.bundle.js: see src/shared/code-cache.cjs) where
 * this process compiled the bundle from source: once, after the first result of a call, so that the
 * cache holds the functions a program runs from loading the package to its first answer. Saved on
 * the next turn of the event loop, not while the caller waits for that answer. Nothing to do where
 * the index was not loaded from its bundle (the TypeScript sources, jest, a build by tsc alone), or
 * where the process found a cache, or after the first call.
 */
export function saveCodeCacheAfterFirstResult(): void {
  if (asked) return;
  asked = true;
  const cache = bundleCodeCache(require.cache[path.join(__dirname, '..', 'index.bundle.js')]);
  if (cache === undefined) return;
  setImmediate(() => {
    cache.save();
  });
}
