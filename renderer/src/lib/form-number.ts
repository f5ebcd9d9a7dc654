/**
 * Numbers typed into form fields. `v-model.number` gives '' for an emptied field (a stored draft may hold null or
 * NaN); a form passes its numbers on as they are and the contract's schema judges them (schema-issues.ts).
 */

/** A number field's value: '' while it is empty. */
export type FormNumber = number | '';

/** Whether a field holds no number: empty, null or NaN. */
export function isBlank(value: unknown): boolean {
  return value === '' || value === null || value === undefined || Number.isNaN(value);
}

/** `{ [key]: value }` for an optional field that holds something, else nothing (the request leaves it out). */
export function ifGiven<K extends string, V>(key: K, value: V): { [P in K]?: V } {
  return (isBlank(value) ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The whole number a field holds when it lies in lo..hi, else null (for a value no request schema covers). */
export function wholeIn(value: unknown, lo: number, hi: number): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi ? n : null;
}
