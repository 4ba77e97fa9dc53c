import { move, task } from '../src/task';

/** Tasks over binary data, moved rather than copied between threads. */
export class BufferTasks {
  /** Sums the bytes it was given. */
  @task static sum(bytes: Uint8Array): number {
    let total = 0;
    for (const b of bytes) total += b;
    return total;
  }

  /** Makes `size` bytes counting up from 0, and moves them back to the caller. */
  @task static make(size: number): Uint8Array {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = i & 0xff;
    return move(bytes);
  }

  /** The byte length it received, and whether its buffer arrived as its own (transferred) buffer. */
  @task static describe(bytes: Uint8Array): { length: number; bufferLength: number } {
    return { length: bytes.byteLength, bufferLength: bytes.buffer.byteLength };
  }
}
