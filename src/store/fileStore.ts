// Files the outbox sends (a /status chart, an export's CSV), kept apart from the messages: one collection per UTC day, insert-only.
import { randomBytes } from 'node:crypto';
import { type Connection, mongo } from 'mongoose';
import { dropDaysBefore } from './dayCollections.ts';
import { dayKey } from './jobStore.ts';

/** Chunks stay far below a document's 16 MB limit, and a read decodes a few at a time. */
export const FILE_CHUNK_BYTES = 512 * 1024;
/** `20260310/3f9a…/2`: the day a file was stored in, its own id, and how many chunks it has. */
const REF = /^(\d{8})\/([0-9a-f]{24})\/([1-9]\d{0,3})$/;

interface Chunk {
  /** `<file id>#<n>`, n from 0. */
  _id: string;
  n: number;
  /** How many chunks the file has (on every chunk, so any one tells). */
  of: number;
  bytes: mongo.Binary;
}

/**
 * On FerretDB a read scans its collection, so a message in the outbox carries only a file's ref, and the bytes
 * live here, in the day's collection (a day's files, whatever the days before hold). Days are dropped whole
 * (`dropDaysBefore`), long after the outbox has given up on any message that needs them.
 */
export class FileRepository {
  constructor(private readonly connection: Connection) {}

  private day(day: string): mongo.Collection<Chunk> {
    return this.connection.collection<Chunk>(`files_${day}`);
  }

  /** Stores the bytes; resolves with the ref a message carries. */
  async put(bytes: Buffer, at: Date): Promise<string> {
    const id = randomBytes(12).toString('hex');
    const day = dayKey(at);
    const of = Math.max(1, Math.ceil(bytes.length / FILE_CHUNK_BYTES));
    const chunks: Chunk[] = [];
    for (let n = 0; n < of; n++) {
      const part = bytes.subarray(n * FILE_CHUNK_BYTES, (n + 1) * FILE_CHUNK_BYTES);
      chunks.push({ _id: `${id}#${n}`, n, of, bytes: new mongo.Binary(part) });
    }
    // One chunk at a time: a batch of several megabytes is one message to the server.
    for (const c of chunks) await this.day(day).insertOne(c);
    return `${day}/${id}/${of}`;
  }

  /** The bytes of a stored file, or null when the ref is not one or its day was dropped (or it is incomplete). */
  async get(ref: string): Promise<Buffer | null> {
    const m = REF.exec(ref);
    if (!m) return null;
    const [, day, id, count] = m as unknown as [string, string, string, string];
    const ids = Array.from({ length: Number(count) }, (_, n) => `${id}#${n}`);
    // One read for every chunk: the day's collection is scanned once.
    const found = await this.day(day)
      .find({ _id: { $in: ids } })
      .toArray();
    if (found.length !== ids.length) return null;
    found.sort((a, b) => a.n - b.n);
    return Buffer.concat(found.map((c) => Buffer.from(c.bytes.buffer)));
  }

  /** Drops whole days before `before`: resolves with how many went. */
  dropDaysBefore(before: Date): Promise<number> {
    return dropDaysBefore(this.connection, 'files', before);
  }
}
