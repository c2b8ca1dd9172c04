// The status chart renders in the process: a real PNG of the right size, with its labels drawn in the shipped font.
// @module-tag time-of-day
import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { buildSummary, parsePeriod } from '../../src/domain/summary.ts';
import {
  CHART_FONT,
  CHART_HEIGHT,
  CHART_WIDTH,
  renderStatusChart,
  statusChartTable,
} from '../../src/services/statusChart.ts';

const now = new Date('2026-03-10T15:00:00Z');
const at = (d: number, h: number) => new Date(Date.UTC(2026, 2, d, h));

function summary() {
  const { current, previous } = parsePeriod('week', now, 'UTC');
  const fact = (kind: 'opened' | 'resolved', d: number) => ({
    kind,
    at: at(d, 10),
    priority: 'P2' as const,
    type: 'incident',
    service: 'db',
    team: null,
    ticketId: `INC-${d}`,
    event: `${kind}-${d}`,
    met: true,
    ms: 3_600_000,
  });
  return buildSummary({
    scope: null,
    current,
    previous,
    facts: [fact('opened', 4), fact('opened', 5), fact('opened', 5), fact('resolved', 6), fact('opened', 9)] as never,
    open: [],
    now,
  });
}

/** PNG: the 8-byte signature, then the IHDR chunk with width and height. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

async function pixels(png: Buffer): Promise<Uint8ClampedArray> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  c.getContext('2d').drawImage(img, 0, 0);
  return c.getContext('2d').getImageData(0, 0, img.width, img.height).data;
}

describe('the status chart', () => {
  it('is a PNG of the chart’s size that decodes, in well under a megabyte', async () => {
    const png = renderStatusChart(summary());
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(200_000);
    expect((await pixels(png)).length).toBe(CHART_WIDTH * CHART_HEIGHT * 4);
  });

  it('draws its labels in the font shipped with the package, not a system font', async () => {
    const s = summary();
    const inked = await pixels(renderStatusChart(s));
    // Transparent text lays out the same: whatever differs is the text itself.
    const blank = await pixels(renderStatusChart(s, { textColor: 'rgba(0,0,0,0)' }));
    let differing = 0;
    for (let i = 0; i < inked.length; i += 4) {
      if (inked[i] !== blank[i] || inked[i + 1] !== blank[i + 1] || inked[i + 2] !== blank[i + 2]) differing++;
    }
    // Two titles, a legend, day and priority ticks, the counts: thousands of pixels of text.
    expect(differing).toBeGreaterThan(3_000);
    expect(GlobalFonts.has(CHART_FONT)).toBe(true);
  });

  it("labels a month's last day (thinned labels are counted back from it)", async () => {
    const end = new Date('2026-03-31T15:00:00Z');
    const { current, previous } = parsePeriod('month', end, 'UTC');
    const month = buildSummary({ scope: null, current, previous, facts: [], open: [], now: end });
    expect(month.daily.at(-1)?.day).toEqual({ year: 2026, month: 3, day: 31 });
    const inked = await pixels(renderStatusChart(month));
    const blank = await pixels(renderStatusChart(month, { textColor: 'rgba(0,0,0,0)' }));
    // Under the trend's right end, where only the last day's (slanted) label reaches.
    let ink = 0;
    for (let y = 356; y < CHART_HEIGHT; y++) {
      for (let x = 600; x < 640; x++) {
        const i = (y * CHART_WIDTH + x) * 4;
        if (inked[i] !== blank[i] || inked[i + 1] !== blank[i + 1] || inked[i + 2] !== blank[i + 2]) ink++;
      }
    }
    expect(ink).toBeGreaterThan(30);
  });

  it('has a text table of the same figures for readers without images', () => {
    const table = statusChartTable(summary());
    expect(table).toContain('2026-03-05       2         0');
    expect(table).toContain('2026-03-06       0         1');
    expect(table).toContain('open now by priority: P1 0 · P2 0 · P3 0 · P4 0');
  });
});
