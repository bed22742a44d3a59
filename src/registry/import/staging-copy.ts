// A COPY FROM STDIN stream fed in large writes, with backpressure, so memory stays flat whatever the file size.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

const FLUSH_AT = 256 * 1024;

export class StagingCopy {
  private buffer = '';
  private failure: Error | null = null;
  rows = 0;

  constructor(private readonly stream: Writable) {
    stream.on('error', (e: Error) => (this.failure ??= e));
  }

  /** Queues one COPY line; true when the caller should `await flush()` before adding more. */
  add(line: string): boolean {
    this.buffer += line;
    this.rows++;
    return this.buffer.length >= FLUSH_AT;
  }

  /** Hands the buffer to the connection, waiting while it is saturated (backpressure). */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = this.buffer;
    this.buffer = '';
    // events.once rejects if the stream errors while we wait.
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    if (this.buffer) await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Abandons the COPY (PostgreSQL rolls it back). */
  abort(reason: Error): void {
    this.stream.destroy(reason);
  }
}
