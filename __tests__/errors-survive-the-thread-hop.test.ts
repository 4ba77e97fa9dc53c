import * as path from 'node:path';
import { AsyncThreadPoolError, spawn, ThreadPool } from '../src';
import { FailingTasks, isQuotaError, ValidationError } from './fixtures/errors';
import { rejectionOf } from './helpers';

describe('errors thrown by tasks', () => {
  const pool = new ThreadPool({ threads: 2 });
  afterAll(() => pool.close());

  test('built-in classes come back as this realm\'s classes (jest\'s)', async () => {
    await expect(pool.spawn(FailingTasks).typeError()).rejects.toThrow(TypeError);
    await expect(pool.spawn(FailingTasks).rangeError()).rejects.toThrow(RangeError);
    await expect(pool.spawn(FailingTasks).rejectLater()).rejects.toThrow(SyntaxError);
    const error = await rejectionOf(pool.spawn(FailingTasks).typeError());
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'TypeError', message: 'not a number' });
  });

  test('keep their stack, with the worker frames of the task module', async () => {
    const error = (await rejectionOf(pool.spawn(FailingTasks).typeError())) as Error;
    expect(error.stack).toContain('TypeError: not a number');
    expect(error.stack).toContain(path.join(__dirname, 'fixtures', 'errors.ts'));
  });

  test('keep own properties such as code', async () => {
    const error = await rejectionOf(pool.spawn(FailingTasks).withCode());
    expect(error).toMatchObject({ message: 'no such file', code: 'ENOENT', errno: -2, path: '/nope' });
  });

  test('keep their cause, revived too', async () => {
    const error = (await rejectionOf(pool.spawn(FailingTasks).withCause())) as Error;
    expect(error.message).toBe('outer');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe('inner');
  });

  test('a subclass exported by the task module comes back as that class, with its fields', async () => {
    const error = await rejectionOf(pool.spawn(FailingTasks).validation('email'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ValidationError', message: 'email is required', field: 'email' });
    await expect(pool.spawn(FailingTasks.validation, 'x')).rejects.toThrow(ValidationError);
  });

  test('a subclass registered with registerErrorClass comes back as that class', async () => {
    const error = await rejectionOf(pool.spawn(FailingTasks).quota());
    expect(isQuotaError(error)).toBe(true);
  });

  test('an unknown subclass comes back as an Error with its name and message', async () => {
    const error = await rejectionOf(pool.spawn(FailingTasks).hidden());
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'HiddenError', message: 'hidden' });
  });

  test('AggregateError keeps its errors', async () => {
    const error = (await rejectionOf(pool.spawn(FailingTasks).aggregate())) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors).toHaveLength(2);
    expect(error.errors[0]).toBeInstanceOf(RangeError);
  });

  test('a thrown non-error comes back as the same value', async () => {
    expect(await rejectionOf(pool.spawn(FailingTasks).text())).toBe('plain text');
    expect(await rejectionOf(pool.spawn(FailingTasks).object())).toEqual({ ok: false, reason: 'data' });
  });

  test('a failed assertion in a task rejects the call', async () => {
    await expect(pool.spawn(FailingTasks).assertEqual(3, 3)).resolves.toBeUndefined();
    const error = await rejectionOf(pool.spawn(FailingTasks).assertEqual(2, 3));
    expect(error).toMatchObject({ name: 'AssertionError', code: 'ERR_ASSERTION', actual: 2, expected: 3 });
  });

  test('the same holds on a temporary thread', async () => {
    await expect(spawn(FailingTasks).typeError()).rejects.toThrow(TypeError);
    await expect(spawn(FailingTasks.validation, 'y')).rejects.toThrow(ValidationError);
  });

  test("the library's own errors are recognised by brand and code, not instanceof", () => {
    const error = new AsyncThreadPoolError('ERR_POOL_CLOSED', 'closed');
    expect(AsyncThreadPoolError.is(error)).toBe(true);
    expect(AsyncThreadPoolError.is(error, 'ERR_POOL_CLOSED')).toBe(true);
    expect(AsyncThreadPoolError.is(error, 'ERR_TASK_NOT_REGISTERED')).toBe(false);
    expect(AsyncThreadPoolError.is(new Error('x'))).toBe(false);
    expect(AsyncThreadPoolError.is({ code: 'ERR_POOL_CLOSED' })).toBe(false);
  });
});
