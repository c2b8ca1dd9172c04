// A time of day as people write it ("9", "9am", "14:00", "2.30pm", "noon") to hours and minutes.

export interface ClockTime {
  hour: number;
  minute: number;
}

/** The time of day in `text`, or a sentence saying what is wrong with it. */
export function readClockTime(text: string): ClockTime | string {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'noon' || t === 'midday') return { hour: 12, minute: 0 };
  if (t === 'midnight') return { hour: 0, minute: 0 };
  const m = /^(\d{1,2})(?:[:.h](\d{2}))? ?(am|pm|a\.m\.|p\.m\.)?$/.exec(t);
  if (!m) return `"${text.trim()}" is not a time of day`;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const half = m[3]?.[0];
  if (minute > 59) return `minute ${minute} does not exist (0-59)`;
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return `"${text.trim()}": with am/pm the hour is 1-12`;
    hour = (hour % 12) + (half === 'p' ? 12 : 0);
  } else if (hour > 23) {
    return `hour ${hour} does not exist (0-23)`;
  }
  return { hour, minute };
}

/** 'HH:MM' for a clock time. */
export function formatClockTime(t: ClockTime): string {
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/** The clock time of a stored 'HH:MM', or null when it is not one. */
export function readStoredTime(hhmm: string): ClockTime | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}
