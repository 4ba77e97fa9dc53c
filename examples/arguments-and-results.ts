// Arguments and results cross threads by structured clone: maps and dates arrive as copies, class
// instances as plain objects; a SharedArrayBuffer is shared; a function is refused (ERR_UNCLONEABLE).
import { AsyncThreadPoolError, ThreadPool } from '../src';
import { Point, ValueTasks } from '../tasks/examples-values';

export async function main() {
  const pool = new ThreadPool({ threads: 1 });
  const values = pool.spawn(ValueTasks);

  // A round trip gives an equal copy of a Map, not the same object.
  const prices = new Map([['apple', 3]]);
  const back = (await values.echo(prices)) as Map<string, number>;
  const map = { copy: back !== prices, apple: back.get('apple') }; // { copy: true, apple: 3 }
  const date = ((await values.echo(new Date(0))) as Date).toISOString(); // '1970-01-01T00:00:00.000Z'

  // A Point arrives as a plain object with its fields: the thread sees no Point, and neither do we.
  const point = await values.inspect(new Point(3, 4)); // { isPoint: false, keys: ['x', 'y'] }
  const pointBack = (await values.echo(new Point(3, 4))) instanceof Point; // false

  // Shared memory is not copied: the thread's increment is visible here.
  const cells = new Int32Array(new SharedArrayBuffer(4));
  await values.bump(cells);
  const shared = Atomics.load(cells, 0); // 1

  // A function cannot be cloned: the call is refused before anything is sent.
  const fn = await values.echo(() => 1).then(
    () => 'sent',
    (error: unknown) => (AsyncThreadPoolError.is(error) ? error.code : error), // 'ERR_UNCLONEABLE'
  );

  await pool.close();
  return { map, date, point, pointBack, shared, fn };
}

if (require.main === module) void main().then((r) => { console.log(r); });
