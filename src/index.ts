/**
 * asyncthreadpool: an awaitable worker-thread pool with a persistent context per thread.
 * The public surface; re-exports only.
 */
export { task, ThreadContext, type TaskOptions } from './decorators';
export { ThreadPool } from './pool';
export { spawn } from './spawn';
export { AsyncThreadPoolError, type ErrorCode } from './errors';
export { registerErrorClass } from './manifest';
export type { ContextClass, ThreadPoolOptions } from './options';
export type { CallerArgs, Remote, TaskClass, TaskFunction, TaskKeys, TaskResult, UnknownContext, WithoutContext } from './proxy';
