// Instants as a reader sees them, in the reader's timezone: every reply's times come from here.
import { TZDate } from '@date-fns/tz';
import { format, isSameDay, isSameYear } from 'date-fns';

/** "14:05" today, "3 Dec 14:05" this year, "3 Dec 2031 14:05" in any other year: in the reader's timezone. */
export function formatTime(at: Date, now: Date, timezone: string): string {
  const t = new TZDate(at, timezone);
  const n = new TZDate(now, timezone);
  if (isSameDay(t, n)) return format(t, 'HH:mm');
  return format(t, isSameYear(t, n) ? 'd MMM HH:mm' : 'd MMM yyyy HH:mm');
}

/** "3 Dec 22:00 → 4 Dec 02:00 (Europe/Berlin)", in the reader's zone, which it names: a window is read by a CAB
 * spread over zones. */
export const windowText = (w: { from: Date; to: Date }, now: Date, timezone: string): string =>
  `${formatTime(w.from, now, timezone)} → ${formatTime(w.to, now, timezone)} (${timezone})`;
