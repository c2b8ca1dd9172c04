// Files the outbox sends (a /status chart, an export's CSV), kept apart from the messages: chunks in `files`, insert-only, expiring.
import { randomBytes } from 'node:crypto';
import { type Connection, mongo } from 'mongoose';
import { expiresAfter, expiring, SHORT_RETENTION_MS } from './expiry.ts';

/** Chunks stay far below a document's 16 MB limit, and a read decodes a few at a time. */
export const FILE_CHUNK_BYTES = 512 * 1024;
/**
 * `3f9a…/2`: the file's own id and how many chunks it has. A ref written before fixed collections starts with the
 * day it was stored in (`20260310/3f9a…/2`); its chunks were moved into `files`, so the day is only skipped.
 */
const REF = /^(?:\d{8}\/)?([0-9a-f]{24})\/([1-9]\d{0,3})$/;

interface Chunk {
  /** `<file id>#<n>`, n from 0. */
  _id: string;
  n: number;
  /** How many chunks the file has (on every chunk, so any one tells). */
  of: number;
  bytes: mongo.Binary;
  expireAt: Date;
}

/**
 * A message in the outbox carries only a file's ref (the outbox is read whole), and the bytes live here, each
 * chunk read by `_id`. Chunks expire a week after they were stored, long after the outbox has given up on any
 * message that needs them.
 */
export class FileRepository {
  private readonly chunks: mongo.Collection<Chunk>;

  constructor(connection: Connection) {
    this.chunks = connection.collection<Chunk>(expiring('files'));
  }

  /** Stores the bytes; resolves with the ref a message carries. */
  async put(bytes: Buffer, at: Date): Promise<string> {
    const id = randomBytes(12).toString('hex');
    const expireAt = expiresAfter(at, SHORT_RETENTION_MS);
    const of = Math.max(1, Math.ceil(bytes.length / FILE_CHUNK_BYTES));
    const chunks: Chunk[] = [];
    for (let n = 0; n < of; n++) {
      const part = bytes.subarray(n * FILE_CHUNK_BYTES, (n + 1) * FILE_CHUNK_BYTES);
      chunks.push({ _id: `${id}#${n}`, n, of, bytes: new mongo.Binary(part), expireAt });
    }
    // One chunk at a time: a batch of several megabytes is one message to the server.
    for (const c of chunks) await this.chunks.insertOne(c);
    return `${id}/${of}`;
  }

  /** The bytes of a stored file, or null when the ref is not one or the file expired (or it is incomplete). */
  async get(ref: string): Promise<Buffer | null> {
    const m = REF.exec(ref);
    if (!m) return null;
    const [, id, count] = m as unknown as [string, string, string];
    const found: Chunk[] = [];
    // A chunk at a time by `_id`: each is up to 512 KB, and a set of ids would scan on FerretDB.
    for (let n = 0; n < Number(count); n++) {
      const chunk = await this.chunks.findOne({ _id: `${id}#${n}` });
      if (!chunk) return null;
      found.push(chunk);
    }
    return Buffer.concat(found.map((c) => Buffer.from(c.bytes.buffer)));
  }
}
