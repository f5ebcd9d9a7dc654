/**
 * A cache key for a request's input: its JSON with every object's fields in name order, so two inputs with the
 * same content share a key whichever view built them and in whatever order it wrote the fields.
 */
export function requestKey(input: unknown): string {
  return JSON.stringify(input, (_name, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
