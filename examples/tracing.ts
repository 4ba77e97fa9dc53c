// Tracing: every call is published on the node:diagnostics_channel tracing channel
// `asyncthreadpool:call`. A subscriber (an OpenTelemetry adapter, a log line, a metric) gets one
// CallTrace per call: the task, the thread that ran it, how long it waited in the queue, and how it
// ended. Here a tiny span recorder, written with Node's core only.
import { ThreadPool, callChannel, type CallTrace } from '../src';
import { MathTasks } from '../tasks/math';
import { InventoryTasks } from '../tasks/examples-errors';

interface Span {
  task: string;
  ranOnAThread: boolean;
  waitedMs: 'measured' | 'none';
  /** 'ok', or the error's code (its name without one). */
  status: string;
}

export async function main() {
  const spans: Span[] = [];
  const started = new Map<number, number>(); // call id -> start time, as a span would keep it
  const subscriber = {
    start: (call: CallTrace) => { started.set(call.id, performance.now()); },
    end: () => undefined,
    asyncStart: () => undefined,
    error: () => undefined,
    asyncEnd: (call: CallTrace) => {
      started.delete(call.id);
      spans.push({
        task: call.task,
        ranOnAThread: call.threadId !== undefined,
        waitedMs: call.queueWait === undefined ? 'none' : 'measured',
        status: call.error === undefined ? 'ok' : ((call.error as { code?: string }).code ?? (call.error as Error).name),
      });
    },
  };
  callChannel.subscribe(subscriber);
  const pool = new ThreadPool({ threads: 2 });
  try {
    await pool.spawn(MathTasks).add(1, 2);
    await pool.spawn(InventoryTasks).reserve('sold-out', 1).catch(() => undefined);
    await pool.spawn(MathTasks).add(3, 4);
  } finally {
    await pool.close();
    callChannel.unsubscribe(subscriber);
  }
  return { spans, open: started.size };
}

if (require.main === module) void main().then((r) => { console.log(r); });
