// Priorities: among the calls waiting for a thread, pool.with({ priority }) goes first when higher;
// calls of one priority keep the order they were made in. A running call is never interrupted.
import { ThreadPool } from '../src';
import { JobTasks } from '../tasks/examples-scheduling';

export async function main() {
  const pool = new ThreadPool({ threads: 1 });
  const interactive = pool.with({ priority: 10 });
  const background = pool.with({ priority: -1 });

  const finished: string[] = [];
  const track = (job: Promise<string>) => job.then((name) => { finished.push(name); });

  // The first call takes the only thread; the others wait, and leave the queue by priority.
  await Promise.all([
    track(pool.spawn(JobTasks).run('nightly report', 20)),
    track(background.spawn(JobTasks).run('bulk export', 1)),
    track(pool.spawn(JobTasks).run('email digest', 1)), // priority 0, the default
    track(interactive.spawn(JobTasks).run('search A', 1)),
    track(interactive.spawn(JobTasks).run('search B', 1)),
  ]);

  await pool.close();
  return { finished }; // nightly report, search A, search B, email digest, bulk export
}

if (require.main === module) void main().then((r) => { console.log(r); });
