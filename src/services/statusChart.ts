// The status chart: opened vs resolved per day and open tickets by priority, drawn in the process as a PNG.
import { createRequire } from 'node:module';
import { type Canvas, createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
} from 'chart.js';
import { isoDate } from '../domain/localTime.ts';
import type { StatusSummary } from '../domain/summary.ts';
import { PRIORITIES } from '../domain/ticket.ts';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Title,
);

export const CHART_FONT = 'Switchboard Sans';
export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 420;
const TREND_WIDTH = 640;
const BACKGROUND = '#ffffff';
const INK = '#1f2933';

let fontLoaded = false;

/**
 * The font comes from an npm package and is registered by path: a fresh machine or a slim container may
 * have no system fonts at all, and then every label would silently come out blank.
 */
export function loadFont(): void {
  if (fontLoaded) return;
  const path = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  if (!GlobalFonts.registerFromPath(path, CHART_FONT)) throw new Error(`could not load the chart font ${path}`);
  fontLoaded = true;
}

export interface ChartOptions {
  /**
   * The colour labels are drawn in. Tests draw the same chart with transparent text, whose layout is the
   * same, to prove the labels really leave ink.
   */
  textColor?: string;
}

/** Draws one chart and copies it onto `target` at `x` (chart.js clears its canvas when destroyed). */
export function draw(
  target: Canvas,
  x: number,
  config: ChartConfiguration,
  width: number,
  height: number,
  textColor: string,
): void {
  const canvas = createCanvas(width, height);
  const chart = new Chart(
    canvas as unknown as HTMLCanvasElement,
    {
      ...config,
      options: {
        ...config.options,
        responsive: false,
        animation: false,
        devicePixelRatio: 1,
        layout: { padding: 12 },
        color: textColor,
        font: { family: CHART_FONT, size: 13 },
        scales: Object.fromEntries(
          Object.entries(config.options?.scales ?? {}).map(([k, v]) => [
            k,
            { ...v, ticks: { ...v?.ticks, color: textColor, font: { family: CHART_FONT } } },
          ]),
        ),
        plugins: {
          ...config.options?.plugins,
          legend: { ...config.options?.plugins?.legend, labels: { color: textColor, font: { family: CHART_FONT } } },
          title: { ...config.options?.plugins?.title, color: textColor, font: { family: CHART_FONT, size: 15 } },
        },
      },
    } as ChartConfiguration,
  );
  target.getContext('2d').drawImage(canvas, x, 0);
  chart.destroy();
}

/** The day labels: `03-10` for each day. */
const dayLabel = (d: { year: number; month: number; day: number }) => isoDate(d).slice(5);
/** Day labels that fit side by side under the trend; more days are labelled every so many. */
const MAX_DAY_LABELS = 16;

/**
 * Every `step`-th day's label, counted back from the last day, so the period's last day is always labelled
 * (chart.js's own thinning counts from the first and left a month's last day bare).
 */
function dayTicks(labels: readonly string[]): (value: unknown, index: number) => string {
  const step = Math.max(1, Math.ceil(labels.length / MAX_DAY_LABELS));
  return (_value, index) => ((labels.length - 1 - index) % step === 0 ? (labels[index] ?? '') : '');
}

export function renderStatusChart(s: StatusSummary, o: ChartOptions = {}): Buffer {
  loadFont();
  const textColor = o.textColor ?? INK;
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);
  const days = s.daily.map((d) => dayLabel(d.day));
  draw(
    canvas,
    0,
    {
      type: 'bar',
      data: {
        labels: days,
        datasets: [
          { label: 'Opened', data: s.daily.map((d) => d.opened), backgroundColor: '#d9822b' },
          { label: 'Resolved', data: s.daily.map((d) => d.resolved), backgroundColor: '#2b8a3e' },
        ],
      },
      options: {
        scales: {
          x: { ticks: { autoSkip: false, callback: dayTicks(days) } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { title: { display: true, text: `Opened vs resolved per day (${s.period.timeZone})` } },
      },
    },
    TREND_WIDTH,
    CHART_HEIGHT,
    textColor,
  );
  draw(
    canvas,
    TREND_WIDTH,
    {
      type: 'bar',
      data: {
        labels: [...PRIORITIES],
        datasets: [
          {
            label: 'Open now',
            data: PRIORITIES.map((p) => s.open.byPriority[p]),
            backgroundColor: ['#c92a2a', '#e8590c', '#f59f00', '#1c7ed6', '#868e96'].slice(0, PRIORITIES.length),
          },
        ],
      },
      options: {
        scales: { x: {}, y: { beginAtZero: true, ticks: { precision: 0 } } },
        // One series, a colour per priority: a legend would show one swatch for all; the axis names them.
        plugins: { legend: { display: false }, title: { display: true, text: 'Open tickets by priority' } },
      },
    },
    CHART_WIDTH - TREND_WIDTH,
    CHART_HEIGHT,
    textColor,
  );
  return canvas.toBuffer('image/png');
}

/** The chart's figures as a plain table: what the terminal prints beside the PNG, and any reader without images. */
export function statusChartTable(s: StatusSummary): string {
  const rows = s.daily.map(
    (d) => `${isoDate(d.day)}  ${String(d.opened).padStart(6)}  ${String(d.resolved).padStart(8)}`,
  );
  const byPriority = PRIORITIES.map((p) => `${p} ${s.open.byPriority[p]}`).join(' · ');
  return ['day         opened  resolved', ...rows, `open now by priority: ${byPriority}`].join('\n');
}
