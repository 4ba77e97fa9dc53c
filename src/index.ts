/**
 * asyncthreadpool: an awaitable worker-thread pool with a persistent context per thread.
 * The public surface; re-exports only.
 *
 * @packageDocumentation
 */
export { task, ThreadContext, TaskSignal, type TaskOptions } from './decorators';
export { ThreadPool, type PoolView } from './pool';
export { spawn, type Spawn, type SpawnOptions, type SpawnWithOptions } from './spawn';
export { move } from './transfer';
export { AsyncThreadPoolError, type ErrorCode } from './errors';
export type { Cloned } from './cloned';
export { registerErrorClass } from './manifest';
export type { ContextClass, ThreadEnv, ThreadPoolOptions } from './options';
export type { CallOptions, PoolStats, Percentiles } from './scheduler';
export type {
  BroadcastRemote,
  CallerArgs,
  Remote,
  ReservedKey,
  TaskClass,
  TaskFunction,
  TaskKeys,
  TaskResult,
  TryRemote,
  UnknownContext,
  WithoutContext,
  WithoutSignal,
} from './proxy';
