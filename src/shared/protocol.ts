/**
 * The wire contract between the main thread and the worker threads.
 *
 * Types only, plain data only: everything here crosses a thread by structured clone, so no class
 * instances, no functions, no `const enum`. Both sides import this module; it emits no code.
 */

import type { MessagePort } from 'node:worker_threads';

/** A thrown value, made cloneable so that it survives the hop back to the caller. */
export type SerializedThrown = SerializedError | SerializedValue;

/** An `Error` (or subclass) flattened to plain data. */
export interface SerializedError {
  readonly kind: 'error';
  /** The name of the thrown object's constructor in the worker, used to pick the class to revive. */
  readonly ctor: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties other than the standard ones (`code`, `errno`, user fields…). */
  readonly props: Readonly<Record<string, unknown>>;
  readonly cause?: SerializedThrown;
  /** `AggregateError#errors`. */
  readonly errors?: readonly SerializedThrown[];
}

/** A thrown non-error (`throw 'text'`, `throw { ok: false }`): its structured clone, or its text. */
export interface SerializedValue {
  readonly kind: 'value';
  readonly value: unknown;
}

/**
 * Where a worker finds the context class. `task` names a task whose `@ThreadContext()` parameter is
 * declared with that class (the worker reads `design:paramtypes`); otherwise the worker looks for an
 * export named `className` in `module`.
 */
export interface ContextSource {
  readonly module: string;
  readonly task?: string;
}

/** How a worker builds its one context instance. */
export interface ContextSpec {
  readonly className: string;
  readonly args: readonly unknown[];
  readonly source: ContextSource;
}

/**
 * The modules the owning process allows its threads to load: the files that registered tasks there
 * (and context modules), appended as the process registers them. A growable SharedArrayBuffer: the
 * threads read it, never a message, so no message field can widen it. Layout: an Int32 byte count,
 * then that many bytes of UTF-8 paths, each followed by a newline.
 */
export type ModuleRegistry = SharedArrayBuffer;

/**
 * How a thread loads the worker side (`workerData.start`, made by src/main/thread-start.ts for
 * src/worker/bootstrap.cjs, which takes it out of `workerData` first): a bundle the main side read
 * with its code cache, the bundle with the cache switched off (`off`: required as it is), or a file
 * to require (a build by tsc alone; the TypeScript sources, after the TypeScript hook).
 */
export type ThreadStart = BundleStart | { readonly kind: 'off'; readonly file: string } | FileStart;

/** A file a thread requires to load the worker side, after installing the TypeScript hook if `hook`. */
export interface FileStart {
  readonly kind: 'file';
  readonly file: string;
  readonly hook: boolean;
}

/**
 * A bundle and the V8 data to compile it with, as src/shared/code-cache.cjs `readBundle` makes
 * them: `cachedData` (on a `SharedArrayBuffer` for threads: one copy for all) only where the cache
 * file is of this build and whole (`moved`: made for it at another path); `found` says what it is otherwise. `cacheFile` and
 * `header` (the cache file's first line up to the length of V8's data) are for a save.
 */
export interface BundleStart {
  readonly kind: 'bundle';
  readonly file: string;
  readonly source: string;
  readonly cachedData: Uint8Array | undefined;
  readonly found: 'found' | 'moved' | 'absent' | 'stale' | 'corrupt';
  readonly cacheFile: string;
  readonly header: string;
  /**
   * Set for a pool's threads given no cache: a pool's start is read as its Piscina is made, and
   * its later threads may find a cache another thread saved since (they read the cache file).
   */
  readonly recheck?: boolean;
}

/** `workerData` of every pool thread. */
export interface PoolWorkerData {
  readonly kind: 'asyncthreadpool:pool';
  /** How the thread loads the worker side. */
  readonly start?: ThreadStart;
  readonly context: ContextSpec | null;
  readonly modules: ModuleRegistry;
  /**
   * µs a thread keeps polling its control port after a run before it sleeps (the `spinWait`
   * option), and a streaming task out of credit polls the caller's count before it sleeps.
   */
  readonly spinWait: number;
  /**
   * The pool's secret, which its threads' hellos carry: a task may post anything on `parentPort`,
   * but cannot pass for the library. Each thread takes it out of `workerData` before any task
   * module loads, so no task can read it.
   */
  readonly nonce?: string;
  /** What the main thread prepared for the thread's TypeScript hook; absent when no TypeScript is involved. */
  readonly typescript?: ThreadTypeScript;
}

/**
 * What the main thread, which holds the compiler under ts-jest or ts-node, hands a thread's
 * TypeScript hook (`shared/ts-hook.cjs`) so that the thread neither checks the library's build nor
 * reads the transpile cache again.
 */
export interface ThreadTypeScript {
  /** The library's own sources that the main thread found compiled into `dist/` unchanged: the thread loads `dist/`'s modules for them. */
  readonly built: readonly string[];
  /** Transpiled TypeScript modules: the output for each file, used while the file's text is still `source`. */
  readonly transpiled: Readonly<Record<string, { readonly source: string; readonly output: string }>>;
}

/**
 * `workerData` of a temporary thread (pool-less `spawn`): it runs `request` once and exits.
 * With no `context`, a task that takes one gets a fresh instance of its parameter's declared class.
 */
export interface TemporaryWorkerData {
  readonly kind: 'asyncthreadpool:temporary';
  /** As {@link PoolWorkerData.start}. */
  readonly start?: ThreadStart;
  readonly request: TaskRequest;
  readonly modules: ModuleRegistry;
  /**
   * The thread's private port for its answer: one `result` {@link ControlResponse} (index 0), as a
   * pool thread answers a call. The thread takes it out of `workerData` before loading any task.
   */
  readonly port: MessagePort;
  /** µs a streaming task out of credit polls the caller's count before it sleeps (see {@link PoolWorkerData.spinWait}). */
  readonly spinWait: number;
  /** As {@link PoolWorkerData.typescript}. */
  readonly typescript?: ThreadTypeScript;
}

/** One task call. `module` is the file that registered `task` in the calling process. */
export interface TaskRequest {
  readonly task: string;
  readonly module: string;
  readonly args: readonly unknown[];
  /** Set when the call can be aborted (it has a `signal` or `timeout`): names it in `abort` requests. */
  readonly call?: number;
  /** Set for a part of a broadcast: the thread waits here until every part has reached a thread. */
  readonly barrier?: BroadcastBarrier;
  /** Set when the caller listens to the task's `@TaskProgress()` reports: the thread posts them (`progress`). */
  readonly progress?: true;
  /**
   * Set for a streaming task: the caller's `highWaterMark`, how many items the thread may send
   * before the caller takes any (a small primitive weighing 1/64 of an item: see `itemWeight` in
   * shared/call-events.ts). Such a request always has a `call` id and a `credit`.
   */
  readonly stream?: number;
  /**
   * Set with `stream`: the stream's credit, shared memory in which the caller counts what it took
   * (`SharedCredit` in shared/call-events.ts), read by the thread before it sends more.
   */
  readonly credit?: SharedArrayBuffer;
}

/** A broadcast's barrier: shared memory laid out and used only by `shared/barrier.ts`. */
export interface BroadcastBarrier {
  readonly buffer: SharedArrayBuffer;
  readonly parties: number;
}

/**
 * What a worker answers to a {@link TaskRequest}. A task's throw is data here, never a rejection.
 * `thread` (the answering thread's id) is set for broadcast parts, which are returned in thread order.
 */
export type TaskResponse =
  | { readonly ok: true; readonly value: unknown; readonly thread?: number }
  | { readonly ok: false; readonly error: SerializedThrown };

/**
 * Posted by each pool thread on `parentPort` (Piscina relays it) as it starts: the thread's control
 * port, on which it takes calls and answers them. When the thread dies, the port closes after the
 * last message the thread posted on it: the main thread has every result made before the death.
 */
export interface HelloMessage {
  readonly type: 'asyncthreadpool:hello';
  /** The pool's `nonce`: a message without it is not from the library. */
  readonly nonce: string;
  readonly threadId: number;
  readonly port: MessagePort;
}

/**
 * Main thread → pool thread, on its control port. `run`: calls to run in order, one after the
 * other, each answered by a `result` as soon as it settles (a backlog goes out as one `run` of many
 * calls; a thread gets its next `run` only when every result of the last one arrived). `dispose`:
 * dispose the context. `abort`: abort the running call `call` (its `@TaskSignal()`).
 */
export type ControlRequest =
  | { readonly type: 'run'; readonly requests: readonly TaskRequest[] }
  | { readonly type: 'dispose' }
  | { readonly type: 'abort'; readonly call: number; readonly reason: SerializedThrown }
  | StreamControlRequest;

/**
 * Main thread → the thread running the streaming call `call`: `wake`, the caller published credit
 * in the stream's shared `credit` while the thread waited for it (sent only then: the thread reads
 * the credit itself while it has some); `cancel`, the caller stopped iterating (`break`,
 * `return()`): the thread stops pulling items, ends the iterator (its `finally` runs) and answers the
 * call. Sent on the pool thread's control port, or on a temporary thread's private port.
 */
export type StreamControlRequest = { readonly type: 'wake'; readonly call: number } | { readonly type: 'cancel'; readonly call: number };

/**
 * Thread → main thread while the `index`-th call of the current run runs (on a temporary thread,
 * index 0), always before its `result`: the latest `@TaskProgress()` report (coalesced: reports made
 * between two posts are dropped but the last), or the next items of a streaming call, in order.
 */
export type CallEventMessage =
  | { readonly type: 'progress'; readonly index: number; readonly value: unknown }
  | { readonly type: 'items'; readonly index: number; readonly items: readonly unknown[] };

/**
 * Pool thread → main thread, on its control port: the response to the `index`-th call of the
 * current `run`; whether its context came up (sent once, after `init()`, before any `run`); the
 * answer to `dispose`.
 */
export type ControlResponse =
  | { readonly type: 'result'; readonly index: number; readonly response: TaskResponse }
  | CallEventMessage
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly error: SerializedThrown }
  | { readonly type: 'disposed'; readonly error: SerializedThrown | null };
