/**
 * The calendar day, ISO week and month an instant falls in, in one time zone. Intl does the time
 * zone arithmetic (it carries the tz database, DST included); the ISO week is computed from the
 * local date by hand because Intl has no week field.
 */
export interface CalendarBuckets {
  /** `2026-03-29` */
  day: string;
  /** `2026-W13`: ISO 8601 week-numbering year and week, weeks start on Monday. */
  week: string;
  /** `2026-03` */
  month: string;
}

export function calendarBucketer(timeZone: string): (instant: Date) => CalendarBuckets {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hourCycle: 'h23',
  });
  return (instant) => {
    let year = 0;
    let month = 0;
    let day = 0;
    for (const part of format.formatToParts(instant)) {
      if (part.type === 'year') year = Number(part.value);
      else if (part.type === 'month') month = Number(part.value);
      else if (part.type === 'day') day = Number(part.value);
    }
    return {
      day: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`,
      week: isoWeek(year, month, day),
      month: `${pad(year, 4)}-${pad(month, 2)}`,
    };
  };
}

/** ISO 8601 week of a calendar date: the week belongs to the year its Thursday is in. */
export function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7; // Monday 1 … Sunday 7
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week
  const weekYear = date.getUTCFullYear();
  const firstDay = Date.UTC(weekYear, 0, 1);
  const week = Math.floor((date.getTime() - firstDay) / 86_400_000 / 7) + 1;
  return `${pad(weekYear, 4)}-W${pad(week, 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
