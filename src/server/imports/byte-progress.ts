// How far an import has read its files, in bytes: what a determinate progress bar needs (the
// number of rows is unknown until the end). The files' streams pass through `track`; once the
// import is recorded, `attach` writes the total to its row, then the bytes read, at most twice
// a second, each write awaited before the next chunk goes on (no pile of pending writes).
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { imports } from '../../../db/schema/index.ts';

const WRITE_EVERY_MS = 500;

export class ByteProgress {
  read = 0;
  private target: { db: Db; importId: number } | null = null;
  private lastWrite = 0;

  readonly total: number;
  private readonly everyMs: number;

  constructor(total: number, { everyMs = WRITE_EVERY_MS } = {}) {
    this.total = total;
    this.everyMs = everyMs;
  }

  /** The same bytes, counted. */
  track(bytes: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    const self = this;
    return (async function* () {
      for await (const chunk of bytes) {
        self.read += chunk.byteLength;
        await self.tick();
        yield chunk;
      }
    })();
  }

  /** From now on, the import's row shows the progress. */
  async attach(db: Db, importId: number): Promise<void> {
    this.target = { db, importId };
    await this.write();
  }

  /** Read so far, 0–1. */
  get share(): number {
    return this.total > 0 ? Math.min(1, this.read / this.total) : 0;
  }

  private async tick() {
    if (this.target && Date.now() - this.lastWrite >= this.everyMs) await this.write();
  }

  private async write() {
    if (!this.target) return;
    this.lastWrite = Date.now();
    await this.target.db
      .update(imports)
      .set({ bytesTotal: this.total, bytesRead: Math.min(this.read, this.total) })
      .where(eq(imports.id, this.target.importId));
  }
}
