/** Where src/shared/run-bundle.cjs puts a bundle's code cache on the bundle's module object. */
const CODE_CACHE = Symbol.for('asyncthreadpool.codeCache');
/** Where src/shared/code-cache.cjs `loadBundle` puts itself (the functions it shares) on the bundle's module object. */
const LOADER = Symbol.for('asyncthreadpool.codeCacheLoader');

/** What src/shared/run-bundle.cjs puts there (its `CodeCache`), as far as this module reads it. */
interface CodeCache {
  state: string;
}

/**
 * The code cache of a bundle's module object (see src/shared/run-bundle.cjs), if it was loaded
 * through the loader: `save()` writes the cache where the bundle was compiled from source (once;
 * never throws), and does nothing where it was compiled from a cache or with the cache off. The
 * writing (src/shared/code-cache.cjs) is loaded only then: a thread that found a cache never loads it.
 */
export function bundleCodeCache(bundle: object | undefined): { save(): void } | undefined {
  const cache = (bundle as Partial<Record<symbol, CodeCache>> | undefined)?.[CODE_CACHE];
  if (cache === undefined) return undefined;
  return {
    save: () => {
      // Only where the bundle was compiled from source here, once.
      if (cache.state === 'accepted' || cache.state === 'off' || cache.state === 'written' || cache.state === 'unsaved') return;
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript, loaded only to save
        (require('./code-cache.cjs') as { saveCodeCache(cache: CodeCache): void }).saveCodeCache(cache);
      } catch {
        // The writer could not be loaded (an install changed under this process): no cache, never a failed call.
        cache.state = 'unsaved';
      }
    },
  };
}

/**
 * What src/shared/code-cache.cjs `loadBundle` put on the module of the bundle it loaded: the copy
 * of the loader the package index compiled as part of itself, for the main side to use rather than
 * compile the file again. Undefined where the bundle was not loaded so (jest, the sources).
 */
export function bundleLoader(bundle: object | undefined): unknown {
  return (bundle as Partial<Record<symbol, unknown>> | undefined)?.[LOADER];
}
