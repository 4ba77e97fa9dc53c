import { threadId, type Transferable } from 'node:worker_threads';
import { fail, messageOf, reviveBuiltin, serializeThrown, type AsyncThreadPoolError } from '../shared/errors';
import { disposeContext, initContext, invokeTask, sendableResult } from '../shared/invoke';
import { ProgressReporter, SharedCredit, StreamPump, streamableOf } from '../shared/call-events';
import { taskByName } from '../shared/manifest';
import type { ResolvedPoolOptions } from './options';
import type { SerializedThrown, StreamControlRequest, TaskRequest, TaskResponse } from '../shared/protocol';
import type { Backend, OnCallEvent } from './executor';

/**
 * Runs calls on the calling thread, one at a time, with one context: the same API and semantics as
 * a pool with one thread, including the structured clone of arguments and results (so a test meets
 * uncloneable data exactly as a real pool would), and tasks looked up on their class at each call,
 * so that `jest.spyOn(Tasks, 'method')` and mocks apply. What it cannot do: end a task that ignores
 * its abort signal (there is no thread to end), or isolate a crash.
 */
export class InlineBackend implements Backend {
  readonly capacity = 1;
  readonly size = 1;
  readonly #ready: Promise<{ context: object | undefined; error: unknown }>;
  readonly #running = new Map<number, AbortController>();
  readonly #streams = new Map<number, StreamPump>();
  /** Streams cancelled before they started. */
  readonly #cancelled = new Set<number>();

  constructor(options: ResolvedPoolOptions<unknown>, onBroken: (error: AsyncThreadPoolError) => void) {
    this.#ready = (async () => {
      // Built asynchronously, like a thread's: the constructor call returns first.
      await Promise.resolve();
      if (options.context === undefined) return { context: undefined, error: undefined };
      try {
        const context = new options.context(...structuredClone(options.contextArgs)) as object;
        await initContext(context);
        return { context, error: undefined };
      } catch (error) {
        onBroken(fail('ERR_CONTEXT_INIT_FAILED', `The context failed to initialise: ${messageOf(error)}`, error));
        return { context: undefined, error };
      }
    })();
  }

  async run(
    request: TaskRequest,
    transfer: readonly Transferable[],
    _stop?: AbortSignal,
    _thread?: number,
    onEvent?: OnCallEvent,
    onThread?: (threadId: number) => void,
  ): Promise<TaskResponse> {
    // The calling thread runs it.
    onThread?.(threadId);
    const { context, error: initError } = await this.#ready;
    let controller: AbortController | undefined;
    let reporter: ProgressReporter | undefined;
    try {
      if (initError !== undefined) throw fail('ERR_CONTEXT_INIT_FAILED', 'The context failed to initialise', initError);
      const record = taskByName(request.task);
      if (record === undefined) throw fail('ERR_TASK_NOT_REGISTERED', `Task \`${request.task}\` is not registered`);
      // The copy a thread would get (moved buffers are detached here, as they would be).
      let args: unknown[];
      try {
        args = structuredClone(request.args as unknown[], { transfer: transfer as Transferable[] });
      } catch (error) {
        throw fail('ERR_UNCLONEABLE', `An argument of ${record.name} cannot be sent to a thread: ${messageOf(error)}`, error);
      }
      if (request.call !== undefined) {
        controller = new AbortController();
        this.#running.set(request.call, controller);
      }
      if (request.progress === true && onEvent !== undefined) {
        // As a thread posts a report: a structured clone, coalesced the same way.
        reporter = new ProgressReporter((value) => {
          onEvent({ type: 'progress', index: 0, value: structuredClone(value) });
        }, record.name);
      }
      const result = invokeTask(record, args, context, controller?.signal, reporter?.report);
      if (request.stream !== undefined && request.call !== undefined && request.credit !== undefined && onEvent !== undefined) {
        await this.#stream(record, request.call, request.stream, request.credit, await result, onEvent, controller?.signal);
        return { ok: true, value: undefined };
      }
      const { value, transfer: back } = sendableResult(record, await result);
      let copy: unknown;
      try {
        copy = structuredClone(value, { transfer: back as Transferable[] });
      } catch (error) {
        // As a thread refuses to post it (a Proxy, say): the call fails with ERR_UNCLONEABLE.
        throw fail('ERR_UNCLONEABLE', `The result of ${record.name} cannot be sent back: ${messageOf(error)}`, error);
      }
      return { ok: true, value: copy };
    } catch (error) {
      return { ok: false, error: serializeThrown(error) };
    } finally {
      reporter?.finish();
      if (request.call !== undefined) this.#running.delete(request.call);
    }
  }

  /**
   * Streams a streaming task's items as a thread does: structured clones (moved items transferred),
   * under the caller's credit, in the same shared memory (this thread is both sides: a wake is a call).
   */
  async #stream(
    record: NonNullable<ReturnType<typeof taskByName>>,
    call: number,
    highWaterMark: number,
    credit: SharedArrayBuffer,
    returned: unknown,
    onEvent: OnCallEvent,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const streamable = streamableOf(record, returned);
    const pump = new StreamPump(highWaterMark, new SharedCredit(credit));
    if (this.#cancelled.delete(call)) pump.cancel();
    this.#streams.set(call, pump);
    try {
      await pump.run(
        record,
        streamable,
        (items, moved) => {
          onEvent({ type: 'items', index: 0, items: structuredClone(items, { transfer: moved }) });
        },
        signal,
      );
    } finally {
      this.#streams.delete(call);
    }
    signal?.throwIfAborted();
  }

  controlStream(request: StreamControlRequest): void {
    const pump = this.#streams.get(request.call);
    if (request.type === 'wake') pump?.wake();
    else if (pump !== undefined) pump.cancel();
    else this.#cancelled.add(request.call);
  }

  abortRunning(call: number, reason: SerializedThrown): void {
    this.#running.get(call)?.abort(reviveBuiltin(reason));
  }

  async disposeContexts(): Promise<unknown[]> {
    const { context } = await this.#ready;
    if (context === undefined) return [];
    try {
      await disposeContext(context);
      return [];
    } catch (error) {
      return [error];
    }
  }

  end(): Promise<void> {
    return Promise.resolve();
  }
}
