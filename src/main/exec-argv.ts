/**
 * The Node options a pool's threads start with: by default the process's own (Node's inheritance),
 * but without ts-node's `require` hooks. Threads load TypeScript through this library's hook (with
 * decorator metadata, from a cache), so ts-node in every thread would only load the TypeScript
 * compiler for nothing: about 250 ms more per thread, measured with
 * `node -r ts-node/register/transpile-only`.
 *
 * Returns undefined (inherit everything) when there is nothing to leave out. Otherwise the list must
 * be given explicitly, and Node refuses V8 and process-wide options there (`--expose-gc`,
 * `--max-old-space-size`…): those already apply to every thread, so only the options that act per
 * thread are passed on (preloads, loaders, conditions, source maps, warnings, experimental flags).
 */
export function threadExecArgv(execArgv: readonly string[] = process.execArgv): string[] | undefined {
  const kept: string[] = [];
  let dropped = false;
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    const takesValue = WITH_VALUE.has(arg);
    const value = takesValue ? (execArgv[i + 1] ?? '') : '';
    if (takesValue) i++;
    const [name, inline] = arg.startsWith('--') ? splitInline(arg) : [arg, undefined];
    if ((name === '-r' || name === '--require') && isTsNodeHook(takesValue ? value : (inline ?? ''))) {
      dropped = true;
    } else if (PER_THREAD.has(name) || /^--(no-)?experimental-/.test(name)) {
      kept.push(arg, ...(takesValue ? [value] : []));
    }
  }
  return dropped ? kept : undefined;
}

/** Options given as `--flag value` (or `-f value`). */
const WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions']);

/** Options that act per thread, accepted in a worker's `execArgv`. */
const PER_THREAD = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--enable-source-maps',
  '--no-warnings',
  '--no-deprecation',
  '--trace-warnings',
  '--trace-deprecation',
  '--throw-deprecation',
  '--pending-deprecation',
]);

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function isTsNodeHook(module: string): boolean {
  return /^ts-node\/register(\/transpile-only|\/files)?$/.test(module);
}

/** `{ execArgv }` for a Worker or Piscina when the threads must not simply inherit, else `{}`. */
export function optionalExecArgv(): { execArgv?: string[] } {
  const execArgv = threadExecArgv();
  return execArgv === undefined ? {} : { execArgv };
}
