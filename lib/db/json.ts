/** A JSON text column's value (events' data, steps' output, …); text that is not JSON comes back as it is. */
export function parseJsonText(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
