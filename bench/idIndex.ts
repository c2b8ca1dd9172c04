// What a find, update and delete by `_id` cost at 1,000 and at 50,000 documents, and the server's plan for each size.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { openDatabase } from '../src/store/connection.ts';
import type { BenchDatabase } from './benchBot.ts';

const SIZES = [1_000, 50_000] as const;
const ROUNDS = 100;

export async function benchIdIndex(db: BenchDatabase): Promise<string[]> {
  const dbName = `bench_ids_${randomBytes(6).toString('hex')}`;
  const { connection, close } = await openDatabase({
    uri: db.uri,
    dataDir: '.data',
    dbName,
    timeoutMs: 30_000,
    log: pino({ level: 'silent' }),
  });
  const lines = [`ids · by _id at ${SIZES.join(' and ')} documents of 1 KB (${db.backend}), medians of ${ROUNDS}`];
  try {
    const medians: Record<string, number[]> = { find: [], update: [], delete: [] };
    for (const size of SIZES) {
      const c = connection.collection<{ _id: string; n: number; pad: string }>(`ids_${size}`);
      for (let i = 0; i < size; i += 5_000) {
        const batch = Array.from({ length: Math.min(5_000, size - i) }, (_, k) => ({
          _id: `d${i + k}`,
          n: i + k,
          pad: 'x'.repeat(1_000),
        }));
        await c.insertMany(batch);
      }
      const plan = await connection.db
        ?.command({ explain: { find: c.collectionName, filter: { _id: 'd1' } } })
        .catch(() => null);
      const steps = (plan?.queryPlanner?.Plan as string[] | undefined)?.join(' ') ?? 'plan not given by this server';
      const median = async (op: (i: number) => Promise<unknown>) => {
        const took: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const t = performance.now();
          await op(i);
          took.push(performance.now() - t);
        }
        took.sort((a, b) => a - b);
        return took[Math.floor(ROUNDS / 2)] as number;
      };
      const stride = Math.floor(size / ROUNDS);
      const find = await median((i) => c.findOne({ _id: `d${i * stride}` }));
      const update = await median((i) => c.updateOne({ _id: `d${i * stride}` }, { $set: { n: -1 } }));
      const del = await median((i) => c.deleteOne({ _id: `d${i * stride + 1}` }));
      medians.find?.push(find);
      medians.update?.push(update);
      medians.delete?.push(del);
      lines.push(
        `  ${String(size).padStart(6)} docs: find ${find.toFixed(2)} ms · update ${update.toFixed(2)} ms · delete ${del.toFixed(2)} ms · plan: ${steps.replace(/id=\d+ parent=\d+ notused=\d+ detail=/g, '')}`,
      );
    }
    for (const [op, [small, large]] of Object.entries(medians)) {
      lines.push(
        `  ${op}: ×${((large as number) / (small as number)).toFixed(2)} at 50,000 against 1,000 (1.00 = the same cost)`,
      );
    }
    return lines;
  } finally {
    await connection.dropDatabase().catch(() => {});
    await close();
  }
}
