// The moved-clock passes run only the files tagged time-of-day: every file that tests the calendar code carries the tag.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TAG = /^\/\/ @module-tag time-of-day$/m;
/** Domain modules that compute with days, hours, zones, due times and schedules. */
const CALENDAR =
  /src\/domain\/(clockTime|cron|localTime|oncall|quietHours|rotation|rotationParse|schedule|schedulePhrase|scheduleRuns|sla|slaThresholds|summary|timezone|when|stale|escalation|pagePlan|rollupFacts|change|postmortem|followUp)\.ts'/;

const testFiles = (): string[] =>
  ['unit', 'integration', 'e2e'].flatMap((dir) =>
    readdirSync(join('test', dir))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => join('test', dir, name)),
  );

describe('the time-of-day tag', () => {
  it('is carried by every test file that imports a calendar module of the domain', () => {
    const untagged = testFiles().filter((file) => {
      const text = readFileSync(file, 'utf8');
      return CALENDAR.test(text) && !TAG.test(text);
    });
    expect(untagged).toEqual([]);
  });

  it('tags enough of the suite to matter, and not all of it', () => {
    const files = testFiles();
    const tagged = files.filter((file) => TAG.test(readFileSync(file, 'utf8')));
    expect(tagged.length).toBeGreaterThan(10);
    expect(tagged.length).toBeLessThan(files.length);
  });
});
