// The service review's chart: availability per service against its target, drawn in the process as a PNG (as the
// /status chart is: chart.js on a native canvas, the font from an npm package).
import { createCanvas } from '@napi-rs/canvas';
import type { ServiceFigures } from '../domain/availability.ts';
import { formatShare } from '../domain/service.ts';
import { draw, loadFont } from './statusChart.ts';

export const SERVICE_CHART_WIDTH = 1000;
export const SERVICE_CHART_HEIGHT = 420;
/** Services drawn side by side; more are left out of the chart (the CSV and the text have them all). */
export const SERVICE_CHART_MAX = 30;

/** Percent with 3 decimals, what the axis shows. */
const pct = (share: number | null): number | null => (share === null ? null : Number((share * 100).toFixed(3)));

/**
 * The lowest value the axis starts at: a little below the lowest availability or target, so that 99.5% and
 * 99.9% do not look the same on a 0-100 scale; never below 0.
 */
export function axisFloor(rows: readonly ServiceFigures[]): number {
  const values = rows.flatMap((r) => [r.availability.value, r.availabilityTarget]).filter((v) => v !== null);
  const lowest = Math.min(100, ...values.map((v) => (v as number) * 100));
  const span = 100 - lowest;
  return Math.max(0, Math.floor(lowest - Math.max(0.1, span * 0.25)));
}

export function renderServiceChart(
  rows: readonly ServiceFigures[],
  title: string,
  o: { textColor?: string } = {},
): Buffer {
  loadFont();
  const shown = rows.slice(0, SERVICE_CHART_MAX);
  const canvas = createCanvas(SERVICE_CHART_WIDTH, SERVICE_CHART_HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, SERVICE_CHART_WIDTH, SERVICE_CHART_HEIGHT);
  draw(
    canvas,
    0,
    {
      type: 'bar',
      data: {
        labels: shown.map((r) => r.service),
        datasets: [
          {
            type: 'bar',
            label: 'Availability %',
            data: shown.map((r) => pct(r.availability.value)),
            backgroundColor: shown.map((r) => (r.meetsTarget === false ? '#c92a2a' : '#2b8a3e')),
            // Drawn beneath the targets (a higher order is drawn first).
            order: 2,
          },
          {
            type: 'line',
            label: 'Target %',
            data: shown.map((r) => pct(r.availabilityTarget)),
            borderColor: '#1f2933',
            backgroundColor: '#1f2933',
            showLine: false,
            pointStyle: 'line',
            pointRadius: Math.min(60, Math.floor(SERVICE_CHART_WIDTH / (3 * Math.max(1, shown.length)))),
            pointBorderWidth: 3,
            order: 1,
          },
        ],
      },
      options: {
        scales: { x: {}, y: { min: axisFloor(shown), max: 100 } },
        plugins: { title: { display: true, text: title } },
      },
    },
    SERVICE_CHART_WIDTH,
    SERVICE_CHART_HEIGHT,
    o.textColor ?? '#1f2933',
  );
  return canvas.toBuffer('image/png');
}

/** The chart's figures as text: what the terminal prints beside the PNG. */
export function serviceChartTable(rows: readonly ServiceFigures[]): string {
  const width = Math.max(7, ...rows.map((r) => r.service.length));
  const line = (a: string, b: string, c: string) => `${a.padEnd(width)}  ${b.padStart(12)}  ${c.padStart(8)}`;
  return [
    line('service', 'availability', 'target'),
    ...rows.map((r) =>
      line(
        r.service,
        r.availability.value === null ? '-' : formatShare(r.availability.value),
        r.availabilityTarget === null ? '-' : formatShare(r.availabilityTarget),
      ),
    ),
  ].join('\n');
}
