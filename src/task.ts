/**
 * asyncthreadpool/task: what a task module needs and nothing else. Import it from task modules
 * (`import { task, ThreadContext } from 'asyncthreadpool/task'`): a worker thread that loads them
 * then loads none of the pool's main-thread side, nor Piscina. The package index
 * (`asyncthreadpool`) exports the same names. Re-exports only.
 *
 * @packageDocumentation
 */
export { task, ThreadContext, TaskSignal, TaskProgress, type TaskOptions } from './shared/decorators';
export { move } from './shared/transfer';
export { AsyncThreadPoolError, type ErrorCode } from './shared/errors';
export { registerErrorClass } from './shared/manifest';
