import { SharedCredit, StreamPump } from '../src/shared/call-events';
import type { TaskRecord } from '../src/shared/manifest';

/** The weight of an item in credit units (shared/call-events.ts): an object weighs a whole item. */
const ITEM = 64;

/**
 * A task out of credit polls the caller's count for up to `spinWait` µs before it raises the
 * waiting flag and sleeps until a wake message: with a caller that keeps up, the credit comes
 * within microseconds, and the round trip of a sleeping thread's wake-up, once per part of the
 * window, was most of a stream's time. Pulling still lets the thread's event loop turn at least
 * every millisecond, on polled credit or on credit that never runs out, so that the context's
 * timers and the caller's cancel get through.
 *
 * The caller here is a stand-in whose count grows by a window on every second read: the pump's
 * first read finds the credit short, the next finds it there. That read comes in the poll (which
 * always reads at least once) or, without polling, after the flag is raised: what the test
 * asserts is which of the two happened, not how fast anything ran.
 */
class CallerKeepingUp extends SharedCredit {
  /** How often the pump raised the waiting flag (it would then sleep until a wake). */
  raised = 0;
  #reads = 0;
  #total = 0;
  readonly #window: number;

  constructor(window: number) {
    super();
    this.#window = window;
  }

  override taken(): number {
    if (++this.#reads % 2 === 0) this.#total += this.#window;
    return this.#total;
  }

  override waiting(on: boolean): void {
    if (on) this.raised++;
  }
}

const record = { name: 'PollTasks.rows' } as TaskRecord;

// eslint-disable-next-line @typescript-eslint/require-await -- it yields what it makes at once, as a parser of a string in memory would
async function* rows(count: number): AsyncGenerator<{ i: number }> {
  for (let i = 0; i < count; i++) yield { i };
}

/** Runs a pump of `count` rows, `highWaterMark` 4, into an array; what it sent, and the flags raised. */
async function pumpRows(count: number, spinMicros: number): Promise<{ items: unknown[]; raised: number }> {
  const credit = new CallerKeepingUp(4 * ITEM);
  const pump = new StreamPump(4, credit, spinMicros);
  const items: unknown[] = [];
  await pump.run(record, rows(count), (chunk) => items.push(...chunk), undefined);
  return { items, raised: credit.raised };
}

describe('a streaming task polls for credit before it sleeps', () => {
  test('with spinWait, credit that comes while it polls is taken without raising the waiting flag', async () => {
    const { items, raised } = await pumpRows(1_000, 10_000);
    expect(items).toEqual(Array.from({ length: 1_000 }, (_, i) => ({ i })));
    expect(raised).toBe(0);
  });

  test('with spinWait 0 (the inline pool, a shared core), it raises the flag each time its credit runs out', async () => {
    const { items, raised } = await pumpRows(1_000, 0);
    expect(items).toHaveLength(1_000);
    // Out of credit every window of 4 rows: 250 times.
    expect(raised).toBe(250);
  });

  /** Pumps `count` rows; how many had been sent when a callback queued before the pump ran did run. */
  async function sentAtFirstTurn(count: number, pump: StreamPump): Promise<{ sent: number; sentAtTurn: number | undefined }> {
    let sent = 0;
    let sentAtTurn: number | undefined;
    setImmediate(() => {
      sentAtTurn = sent;
    });
    await pump.run(record, rows(count), (chunk) => (sent += chunk.length), undefined);
    return { sent, sentAtTurn };
  }

  test('a stream on polled credit lets the event loop turn: a callback queued before it runs before it ends', async () => {
    const credit = new CallerKeepingUp(ITEM);
    // highWaterMark 1: out of credit after every row, and never made to sleep.
    const { sent, sentAtTurn } = await sentAtFirstTurn(100_000, new StreamPump(1, credit, 10_000));
    expect(sent).toBe(100_000);
    expect(credit.raised).toBe(0);
    // Without the hand-over the pulling runs in microtasks to its end, and the callback sees it all sent.
    expect(sentAtTurn).toBeLessThan(100_000);
  });

  test('a stream whose credit never runs out lets the event loop turn as well', async () => {
    const credit = new SharedCredit();
    // The caller took everything in advance: the pump never runs out of credit, and never polls.
    credit.publish(100_000 * ITEM);
    const { sent, sentAtTurn } = await sentAtFirstTurn(100_000, new StreamPump(16, credit, 0));
    expect(sent).toBe(100_000);
    expect(sentAtTurn).toBeLessThan(100_000);
  });
});
