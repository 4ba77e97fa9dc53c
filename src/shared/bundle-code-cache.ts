/** Where src/shared/code-cache.cjs puts a bundle's code cache on the bundle's module object. */
const CODE_CACHE = Symbol.for('asyncthreadpool.codeCache');

/**
 * The code cache of a bundle's module object (see src/shared/code-cache.cjs), if it was loaded
 * through the loader: `save()` writes the cache where the bundle was compiled from source (once;
 * never throws), and does nothing where it was compiled from a cache or with the cache off.
 */
export function bundleCodeCache(bundle: object | undefined): { save(): void } | undefined {
  return (bundle as Partial<Record<symbol, { save(): void }>> | undefined)?.[CODE_CACHE];
}
