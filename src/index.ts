/**
 * asyncthreadpool: an awaitable worker-thread pool with a persistent context per thread.
 * The public surface; re-exports only.
 *
 * @packageDocumentation
 */
// No `reflect-metadata` here: the decorators install the small metadata API of shared/metadata.ts
// where none is there yet, on this side as on threads (the package costs more to load than most of
// this index). A program's own `import 'reflect-metadata'`, before or after this one, still wins.
export { task, ThreadContext, TaskSignal, TaskProgress, type TaskOptions } from './shared/decorators';
export { ThreadPool, type PoolView } from './main/pool';
export { spawn, type Spawn, type SpawnOptions, type SpawnWithOptions } from './main/spawn';
export { move } from './shared/transfer';
export { AsyncThreadPoolError, type ErrorCode } from './shared/errors';
export type { Cloned } from './main/cloned';
export { registerErrorClass } from './shared/manifest';
export type { ContextClass, ElasticThreads, ThreadEnv, ThreadPoolOptions } from './main/options';
export type { CallOptions } from './main/options';
export type { PoolStats, Percentiles } from './main/stats';
export type { TaskStream } from './main/stream';
export { CALL_CHANNEL, callChannel, type CallTrace } from './main/tracing';
export type {
  BroadcastRemote,
  CallerArgs,
  CallResult,
  Remote,
  ReservedKey,
  TaskClass,
  TaskFunction,
  TaskKeys,
  TaskResult,
  TryRemote,
  UnknownContext,
  WithoutContext,
  WithoutProgress,
  WithoutSignal,
} from './main/proxy';
