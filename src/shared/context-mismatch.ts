import { type AsyncThreadPoolError, fail } from './errors';
import type { TaskRecord } from './manifest';

/**
 * The `ERR_CONTEXT_MISMATCH` of a task whose context the pool does not have: none at all
 * (`poolContext` undefined), or one of another class (named `poolContext`). One wording for both
 * sides: the main thread refuses what it can tell from the pool's options, a thread the rest.
 */
export function contextMismatch(
  record: Pick<TaskRecord, 'name' | 'contextIndex' | 'contextType'>,
  poolContext: string | undefined,
): AsyncThreadPoolError {
  const wanted = record.contextType?.name;
  if (poolContext === undefined) {
    return fail(
      'ERR_CONTEXT_MISMATCH',
      `${record.name} takes ${wanted === undefined ? 'a context' : `a ${wanted} context`} (parameter ${String(record.contextIndex)}), but the pool has no context; create it with new ThreadPool({ context: ${wanted ?? 'YourContext'} })`,
    );
  }
  return fail('ERR_CONTEXT_MISMATCH', `${record.name} takes a ${wanted ?? 'different'} context, but the pool's context is a ${poolContext}`);
}
