/** One input line with its 1-based line number in its file. */
export interface Line {
  no: number;
  text: string;
}

/** Parse an integer token the way the kernel prints it (%d, %u, %ld; may be negative). */
export function parseIntToken(tok: string): number | undefined {
  const n = tok.length;
  let i = tok.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === n) return undefined;
  for (; i < n; i++) {
    const c = tok.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(tok);
}
