/// <reference types="reflect-metadata" preserve="true" />
/**
 * The decorator metadata API on the global `Reflect` (`Reflect.metadata`, `defineMetadata`,
 * `getMetadata`…), installed only where none is there yet: the few functions of the
 * `reflect-metadata` polyfill that compiled code calls. tsc's `__metadata` helper records
 * `design:paramtypes` through `Reflect.metadata` only if that exists when a class is declared, and
 * `@task` reads it there to know a context parameter's class; hand-compiled JavaScript calls
 * `Reflect.defineMetadata` (see `bench/tasks.cjs`).
 *
 * Why not `reflect-metadata` itself on both sides: in a fresh worker thread, `require('reflect-metadata')`
 * costs more than the rest of the library's worker side together (resolving a package through its
 * `exports` makes Node load its ES module resolver, then the polyfill's 64 kB). So the thread side
 * (`src/worker/`, `src/shared/`, the task entry) installs this instead, and the package index, which
 * the main thread loads, still loads the real polyfill, which replaces this (it always redefines
 * the functions) and, since this one has `defineMetadata` but no registry of its own, keeps what was
 * recorded here readable through its fallback provider. A user's own `import 'reflect-metadata'` wins
 * the same way, before or after this. Not provided: `Reflect.decorate` (tsc's `__decorate` applies
 * decorators itself when it is absent); code that needs it imports `reflect-metadata`.
 */

type Key = string | symbol | undefined;
type Store = WeakMap<object, Map<Key, Map<unknown, unknown>>>;

interface MetadataApi {
  metadata(metadataKey: unknown, metadataValue: unknown): (target: object, propertyKey?: string | symbol) => void;
  defineMetadata(metadataKey: unknown, metadataValue: unknown, target: object, propertyKey?: string | symbol): void;
  hasMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
  hasOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
  getMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getOwnMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): unknown;
  getMetadataKeys(target: object, propertyKey?: string | symbol): unknown[];
  getOwnMetadataKeys(target: object, propertyKey?: string | symbol): unknown[];
  deleteMetadata(metadataKey: unknown, target: object, propertyKey?: string | symbol): boolean;
}

/** Installs the API on `Reflect` unless a `getMetadata` is there already (reflect-metadata's, or this one from another copy). */
export function installMetadata(): void {
  const reflect = Reflect as unknown as Partial<MetadataApi> & Record<string, unknown>;
  if (typeof reflect.getMetadata === 'function') return;
  const api = metadataApi(new WeakMap());
  for (const [name, value] of Object.entries(api)) {
    Object.defineProperty(reflect, name, { configurable: true, writable: true, value });
  }
}

function metadataApi(store: Store): MetadataApi {
  const checked = (target: unknown): object => {
    if ((typeof target !== 'object' && typeof target !== 'function') || target === null) throw new TypeError();
    return target;
  };
  const own = (target: object, key: Key, create: boolean): Map<unknown, unknown> | undefined => {
    let byKey = store.get(target);
    if (byKey === undefined) {
      if (!create) return undefined;
      store.set(target, (byKey = new Map<Key, Map<unknown, unknown>>()));
    }
    let values = byKey.get(key);
    if (values === undefined && create) byKey.set(key, (values = new Map<unknown, unknown>()));
    return values;
  };
  const parent = (target: object): object | null => Object.getPrototypeOf(target) as object | null;
  const api: MetadataApi = {
    metadata: (metadataKey, metadataValue) => (target, propertyKey) => {
      api.defineMetadata(metadataKey, metadataValue, target, propertyKey);
    },
    defineMetadata: (metadataKey, metadataValue, target, propertyKey) => {
      own(checked(target), propertyKey, true)?.set(metadataKey, metadataValue);
    },
    hasOwnMetadata: (metadataKey, target, propertyKey) => own(checked(target), propertyKey, false)?.has(metadataKey) === true,
    hasMetadata: (metadataKey, target, propertyKey) => {
      for (let at: object | null = checked(target); at !== null; at = parent(at)) {
        if (own(at, propertyKey, false)?.has(metadataKey) === true) return true;
      }
      return false;
    },
    getOwnMetadata: (metadataKey, target, propertyKey) => own(checked(target), propertyKey, false)?.get(metadataKey),
    getMetadata: (metadataKey, target, propertyKey) => {
      for (let at: object | null = checked(target); at !== null; at = parent(at)) {
        const values = own(at, propertyKey, false);
        if (values?.has(metadataKey) === true) return values.get(metadataKey);
      }
      return undefined;
    },
    getOwnMetadataKeys: (target, propertyKey) => [...(own(checked(target), propertyKey, false)?.keys() ?? [])],
    getMetadataKeys: (target, propertyKey) => {
      const keys = new Set<unknown>();
      for (let at: object | null = checked(target); at !== null; at = parent(at)) {
        for (const key of own(at, propertyKey, false)?.keys() ?? []) keys.add(key);
      }
      return [...keys];
    },
    deleteMetadata: (metadataKey, target, propertyKey) => own(checked(target), propertyKey, false)?.delete(metadataKey) === true,
  };
  return api;
}

installMetadata();
