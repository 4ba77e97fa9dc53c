import { taskByName, taskForFunction, tasksOfClass } from '../src/shared/manifest';
import { Counter, MathTasks } from '../tasks/math';
import { task } from '../src';

class Named {
  @task({ name: 'custom.double' }) static double(x: number): number {
    return x * 2;
  }
}

describe('@task', () => {
  test('records ClassName.method, the defining module file and the context parameter', () => {
    const add = taskByName('MathTasks.add');
    expect(add).toMatchObject({
      name: 'MathTasks.add',
      className: 'MathTasks',
      method: 'add',
      module: require.resolve('../tasks/math'),
      contextIndex: undefined,
      owner: MathTasks,
      fn: MathTasks.add,
    });
  });

  test('records the context parameter wherever it stands, with its declared class', () => {
    expect(taskByName('MathTasks.incr')).toMatchObject({ contextIndex: 0, contextType: Counter });
    expect(taskByName('MathTasks.get')).toMatchObject({ contextIndex: 1, contextType: Counter });
  });

  test('takes a custom name with @task({ name })', () => {
    expect(taskByName('custom.double')).toMatchObject({ method: 'double', owner: Named, module: __filename });
    expect(taskByName('Named.double')).toBeUndefined();
  });

  test('is found by function reference and by class', () => {
    expect(taskForFunction(MathTasks.sleepAdd)?.name).toBe('MathTasks.sleepAdd');
    expect([...(tasksOfClass(MathTasks)?.keys() ?? [])].sort()).toEqual(['add', 'get', 'incr', 'sleepAdd']);
    expect(taskForFunction(() => 1)).toBeUndefined();
  });
});
