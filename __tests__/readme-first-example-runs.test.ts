import { main as firstExample } from '../examples/first-example';

// The README's first example (tasks/primes.ts and its caller, examples/first-example.ts) gives the
// counts it prints; the per-thread call counts vary with scheduling and always add up to the calls.
test('the first example counts the primes on a two-thread pool, each thread keeping its own Tally', async () => {
  const { counts, calls } = await firstExample();
  expect(counts).toEqual([9592, 17984, 25997, 33860]);
  expect(calls).toHaveLength(2);
  expect(calls.reduce((a, b) => a + b, 0)).toBe(4);
});
