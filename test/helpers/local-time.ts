import { fromLocal, localDate, localTime } from '../../src/domain/calendar.js';

/** VN local "YYYY-MM-DD HH:MM" → Date */
export function at(s: string): Date {
  const [d, t] = s.split(' ');
  return fromLocal(d, t ?? '00:00');
}

/** Date → VN local "YYYY-MM-DD HH:MM" */
export function show(t: Date): string {
  return `${localDate(t)} ${localTime(t)}`;
}
