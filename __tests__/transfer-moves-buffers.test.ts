import { move, spawn, ThreadPool } from '../src';
import { BufferTasks } from '../tasks/buffers';

describe('move(): transfer instead of copy', () => {
  test('a moved argument arrives and is detached here', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const bytes = new Uint8Array(1024).fill(1);
    expect(await pool.spawn(BufferTasks).sum(move(bytes))).toBe(1024);
    expect(bytes.byteLength).toBe(0);
    // Without move() it is copied and stays usable.
    const kept = new Uint8Array(16).fill(2);
    expect(await pool.spawn(BufferTasks.sum, kept)).toBe(32);
    expect(kept.byteLength).toBe(16);
    await pool.close();
  });

  test('a view on a larger buffer moves the whole buffer', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const buffer = new ArrayBuffer(64);
    const view = new Uint8Array(buffer, 8, 8);
    expect(await pool.spawn(BufferTasks).describe(move(view))).toEqual({ length: 8, bufferLength: 64 });
    expect(buffer.byteLength).toBe(0);
    await pool.close();
  });

  test('a task can move its result back', async () => {
    const pool = new ThreadPool({ threads: 1 });
    const bytes = await pool.spawn(BufferTasks).make(300);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.byteLength).toBe(300);
    expect(bytes[299]).toBe(299 & 0xff);
    await pool.close();
  });

  test('the same on a temporary thread', async () => {
    const bytes = new Uint8Array(10).fill(3);
    expect(await spawn(BufferTasks).sum(move(bytes))).toBe(30);
    expect(bytes.byteLength).toBe(0);
    expect((await spawn(BufferTasks).make(5)).byteLength).toBe(5);
  });
});
