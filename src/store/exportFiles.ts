// Report files on disk: exports (`<dir>/<tenant>-<period>.csv`) and post-incident drafts, written whole (a temporary name, then renamed).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Tenants look like `slack:T0123`: only letters, digits, `.`, `_` and `-` reach a file name. */
const safe = (part: string): string => part.replace(/[^A-Za-z0-9._-]/g, '_');

export async function writeExportFile(dir: string, tenant: string, period: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = resolve(join(dir, `${safe(tenant)}-${safe(period)}.csv`));
  const partial = `${path}.${process.pid}.part`;
  await writeFile(partial, content, 'utf8');
  await rename(partial, path);
  return path;
}

/** A post-incident draft on disk: `<dir>/<tenant>-<INC-n>.md`, written whole (a later draft replaces it). */
export async function writePostmortemFile(
  dir: string,
  tenant: string,
  ticketId: string,
  markdown: string,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = resolve(join(dir, `${safe(tenant)}-${safe(ticketId)}.md`));
  const partial = `${path}.${process.pid}.part`;
  await writeFile(partial, markdown, 'utf8');
  await rename(partial, path);
  return path;
}
