import * as path from 'node:path';
import { runNode } from './helpers-process';

/**
 * A task proxy converts, prints, serialises and awaits as a plain object does: the names JavaScript
 * reads on its own (`then`, `toString`, `valueOf`, `toJSON`, `constructor`, the well-known symbols…)
 * are never taken for tasks, so none runs and no rejection is left unhandled. `await proxy` gives
 * the proxy itself. Checked on every kind of proxy, in a child process where an unhandled rejection
 * is fatal (`--unhandled-rejections=strict`).
 */
test('every kind of proxy converts as {} does, awaits to itself, runs nothing and leaves no rejection', async () => {
  const script = path.join(__dirname, 'fixtures', 'proxy-conversions.cjs');
  const { code, stdout, stderr } = await runNode(['--unhandled-rejections=strict', script]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const out = JSON.parse(stdout) as {
    plain: Record<string, unknown>;
    differences: Record<string, unknown>;
    awaited: Record<string, boolean>;
    inspect: string;
    ranBeforeCalls: number;
  };
  expect(out.plain.String).toEqual({ value: '[object Object]' });
  expect(out.differences).toEqual({});
  expect(Object.keys(out.awaited)).toHaveLength(18);
  expect(Object.values(out.awaited).every((same) => same)).toBe(true);
  expect(out.inspect).toContain('JsValueTasks');
  expect(out.ranBeforeCalls).toBe(0);
  expect(out).toMatchObject({ add: 3, then: 'then ran', toString: 'toString ran', valueOf: 'valueOf ran' });
});
