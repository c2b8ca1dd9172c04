// Notice kinds: each presentation module registers how its notices look, under its family (`review.digest`,
// `page.step`); anything may then draw a notice by its kind. A kind registered twice is refused at load.
import type { Reply } from './reply.ts';

// biome-ignore lint/suspicious/noExplicitAny: a renderer's notice type is its own; the registry holds them all.
type Renderer = (notice: any) => Reply;

const kinds = new Map<string, Renderer>();

/** Registers a module's renderers as `<family>.<name>` and hands the table back, typed as given. */
export function registerNotices<T extends Record<string, Renderer>>(family: string, table: T): T {
  for (const [name, render] of Object.entries(table)) {
    const kind = `${family}.${name}`;
    if (kinds.has(kind)) throw new Error(`present: the notice kind ${kind} is registered twice`);
    kinds.set(kind, render);
  }
  return table;
}

/** The notice kinds registered so far (those of every presentation module loaded). */
export const noticeKinds = (): string[] => [...kinds.keys()].sort();

/** Draws a notice by its kind; a kind nobody registered is a fault of the house, not of the person. */
export function renderNotice(kind: string, notice: unknown): Reply {
  const render = kinds.get(kind);
  if (!render) throw new Error(`present: no notice kind ${kind}`);
  return render(notice);
}
