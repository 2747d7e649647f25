/**
 * A cheap, safe pre-filter for the CEL searches. For the common form
 * `event.data.<path> == "<text>"` (alone or joined with `&&`), every matching event's stored
 * JSON must contain `"<text>"` verbatim (events are stored with JSON.stringify), so the database
 * can discard most candidates with `data LIKE '%"<text>"%'` before any row reaches CEL. The
 * pre-filter only ever keeps a superset: CEL still decides. Anything else (`||`, `!`, functions,
 * numbers, escapes) yields no literal and the search evaluates every row, as before.
 */
const STRING = String.raw`"([^"\\]*)"|'([^'\\]*)'`;
const DATA_PATH = String.raw`event\.data(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*(?:"[^"\\]*"|'[^'\\]*')\s*\])+`;
const LEFT = new RegExp(String.raw`^\(?\s*${DATA_PATH}\s*==\s*(?:${STRING})\s*\)?$`);
const RIGHT = new RegExp(String.raw`^\(?\s*(?:${STRING})\s*==\s*${DATA_PATH}\s*\)?$`);

export function requiredDataLiterals(expression: string): string[] {
  if (/\|\||!|\?/.test(expression)) return [];
  const out: string[] = [];
  for (const part of expression.split("&&")) {
    const conjunct = part.trim();
    const m = LEFT.exec(conjunct) ?? RIGHT.exec(conjunct);
    if (!m) continue;
    const value = m[1] ?? m[2];
    if (value !== undefined && value !== "") out.push(JSON.stringify(value));
  }
  return out;
}

/** `%"42"%` with LIKE's wildcards escaped (use with `ESCAPE '\'`). */
export function containsPattern(literal: string): string {
  return `%${literal.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
