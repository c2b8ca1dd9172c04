// Discord's size limits on what a bot sends, as the fake enforces them: a body over a limit is a 400 (50035).

/** Where a body breaks a limit, e.g. `data.title: 46 > 45`; empty when it is within them all. */
export type Problems = string[];

const len = (v: unknown): number => (typeof v === 'string' ? [...v].length : 0);

function within(p: Problems, path: string, v: unknown, min: number, max: number): void {
  if (v === undefined || v === null) {
    if (min > 0) p.push(`${path}: required`);
    return;
  }
  const n = len(v);
  if (n < min || n > max) p.push(`${path}: length ${n} not in ${min}..${max}`);
}

function count(p: Problems, path: string, list: unknown, max: number, min = 0): void {
  const n = Array.isArray(list) ? list.length : 0;
  if (n < min || n > max) p.push(`${path}: ${n} items not in ${min}..${max}`);
}

/** A message body: content, embeds and button rows. */
export function messageProblems(body: any, path = 'data'): Problems {
  const p: Problems = [];
  if (!body || typeof body !== 'object') return p;
  within(p, `${path}.content`, body.content ?? '', 0, 2000);
  count(p, `${path}.embeds`, body.embeds, 10);
  for (const [i, e] of (body.embeds ?? []).entries()) {
    within(p, `${path}.embeds[${i}].title`, e.title ?? '', 0, 256);
    within(p, `${path}.embeds[${i}].description`, e.description ?? '', 0, 4096);
    count(p, `${path}.embeds[${i}].fields`, e.fields, 25);
    for (const [j, f] of (e.fields ?? []).entries()) {
      within(p, `${path}.embeds[${i}].fields[${j}].name`, f.name, 1, 256);
      within(p, `${path}.embeds[${i}].fields[${j}].value`, f.value, 1, 1024);
    }
    within(p, `${path}.embeds[${i}].footer.text`, e.footer?.text ?? '', 0, 2048);
  }
  count(p, `${path}.components`, body.components, 5);
  for (const [i, row] of (body.components ?? []).entries()) {
    count(p, `${path}.components[${i}].components`, row.components, 5, 1);
    for (const [j, c] of (row.components ?? []).entries()) {
      within(p, `${path}.components[${i}].components[${j}].custom_id`, c.custom_id, 1, 100);
      within(p, `${path}.components[${i}].components[${j}].label`, c.label ?? '', 0, 80);
    }
  }
  return p;
}

/** A modal: title, custom id, one to five labelled inputs. */
export function modalProblems(data: any): Problems {
  const p: Problems = [];
  within(p, 'data.custom_id', data?.custom_id, 1, 100);
  within(p, 'data.title', data?.title, 1, 45);
  count(p, 'data.components', data?.components, 5, 1);
  for (const [i, c] of (data?.components ?? []).entries()) {
    const input = c.component ?? c.components?.[0];
    within(p, `data.components[${i}].label`, c.label ?? input?.label, 1, 45);
    within(p, `data.components[${i}].component.custom_id`, input?.custom_id, 1, 100);
    if (input?.type === 4) {
      if ((input.max_length ?? 4000) > 4000) p.push(`data.components[${i}].component.max_length: over 4000`);
      within(p, `data.components[${i}].component.value`, input.value ?? '', 0, input.max_length ?? 4000);
    }
    if (input?.type === 3) count(p, `data.components[${i}].component.options`, input.options, 25, 1);
  }
  return p;
}

/** Autocomplete choices: at most 25, names 1-100, values up to 100. */
export function choiceProblems(data: any): Problems {
  const p: Problems = [];
  count(p, 'data.choices', data?.choices, 25);
  for (const [i, c] of (data?.choices ?? []).entries()) {
    within(p, `data.choices[${i}].name`, c.name, 1, 100);
    within(p, `data.choices[${i}].value`, String(c.value ?? ''), 0, 100);
  }
  return p;
}

export const invalidFormBody = (problems: Problems) => ({
  message: 'Invalid Form Body',
  code: 50035,
  errors: problems,
});
