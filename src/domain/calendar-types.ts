/**
 * The shapes of a year's days off, shared by the working calendar (calendar.ts), the generated
 * Labour Code defaults (holidays.ts) and the official tables (calendar-data.ts); kept apart so
 * that none of them has to import another for its types.
 */

/** One day named in a year table: a day off, or a Saturday worked in exchange. */
export interface DayEntry {
  date: string;
  name: string;
}

/** A year's days off and make-up working Saturdays; `generated` when taken from the Labour Code defaults. */
export interface YearTable {
  year: number;
  holidays: DayEntry[];
  workingSaturdays: DayEntry[];
  generated: boolean;
}
