import { fail } from '../shared/errors';

/**
 * `asyncthreadpool/bullmq` needs `bullmq` and `ioredis`, optional peer dependencies: checked first,
 * before anything loads them, so that a missing one is reported with what to install rather than
 * as a bare `Cannot find module`. Resolved from this file, as the imports that follow are.
 */
const missing = ['bullmq', 'ioredis'].filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});

if (missing.length > 0) {
  throw fail(
    'ERR_MISSING_DEPENDENCY',
    `asyncthreadpool/bullmq needs the package${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed: run \`npm install bullmq@6 ioredis\``,
  );
}
