/**
 * asyncthreadpool: an awaitable worker-thread pool with a persistent context per thread.
 * The public surface; re-exports only.
 *
 * @packageDocumentation
 */
// The full decorator metadata polyfill on the main thread, as before; threads make do with the
// smaller one of shared/metadata.ts unless a task module loads this index or reflect-metadata.
import 'reflect-metadata';
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
