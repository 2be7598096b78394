import { lineProblem, type Problem } from './problem.js';
import { type Line } from './types.js';

/** One row of the `ss -s` transport table: Total, IP, IPv6 (`-` in the old `*` row is absent). */
export interface SsRow {
  total: number;
  ip?: number;
  ipv6?: number;
  line: number;
}

export type SsRowName = '*' | 'RAW' | 'UDP' | 'TCP' | 'INET' | 'FRAG';

/** The transport table's arithmetic as iproute2 prints it: these rows' Total is IP + IPv6, */
export const SS_ROWS_SUMMED: readonly SsRowName[] = ['RAW', 'UDP', 'TCP', 'FRAG'];
/** and INET's Total is the sum of these rows' Totals. */
export const SS_INET_PARTS: readonly SsRowName[] = ['RAW', 'UDP', 'TCP'];

/** The summary printed by `ss -s`, in either iproute2 format. */
export interface SsSummary {
  format: 'new' | 'old';
  total: number;
  /** Old format only: `Total: N (kernel K)`. */
  kernel?: number;
  tcpTotal: number;
  estab: number;
  closed: number;
  orphaned: number;
  /** Old format only. */
  synrecv?: number;
  timewait: number;
  /** Old format only: the second number of `timewait A/B`. */
  timewait2?: number;
  /** Old format only: `, ports N`. */
  ports?: number;
  rows: Partial<Record<SsRowName, SsRow>>;
  /** Line of `Total:` and of the `TCP:` line. */
  totalLine: number;
  tcpLine: number;
}

export interface SsParse {
  summary?: SsSummary;
  issues: Problem[];
}

const N = '(-?\\d+)';
const TOTAL_RE = new RegExp(`Total:\\s*${N}(?:\\s*\\(kernel\\s+${N}\\))?`);
const TCP_RE = new RegExp(
  `TCP:\\s*${N}\\s*\\(\\s*estab\\s+${N}\\s*,\\s*closed\\s+${N}\\s*,\\s*orphaned\\s+${N}\\s*,` +
    `(?:\\s*synrecv\\s+${N}\\s*,)?\\s*timewait\\s+${N}(?:\\s*/\\s*${N})?\\s*\\)(?:\\s*,\\s*ports\\s+${N})?`,
);
const HEADER_RE = /Transport\s+Total\s+IP\s+IPv6/;
const ROW_RE = /(?:^|\s)(\*|RAW|UDP|TCP|INET|FRAG)\s+(-?\d+)\s+(-?\d+|-)\s+(-?\d+|-)(?=\s|$)/g;
const ROW_NAMES: readonly SsRowName[] = ['RAW', 'UDP', 'TCP', 'INET', 'FRAG'];

/**
 * Parse `ss -s` output. Lines are joined and tokenized on whitespace and the
 * parser anchors on keywords, so tabs, expanded tabs, stripped trailing spaces
 * and a summary flattened onto one line all parse the same.
 */
export function parseSsSummary(lines: readonly Line[]): SsParse {
  const issues: Problem[] = [];
  // Join with single spaces; remember where each line starts to map offsets back.
  const starts: number[] = [];
  const nos: number[] = [];
  let text = '';
  for (const l of lines) {
    starts.push(text.length);
    nos.push(l.no);
    text += l.text.replace(/\r$/, '') + ' ';
  }
  const lineAt = (off: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return nos[lo] ?? 0;
  };
  const first = lines[0]?.no ?? 0;

  const tm = TOTAL_RE.exec(text);
  if (!tm) {
    issues.push(lineProblem(first, 'ss -s: no "Total:" line', 'error'));
    return { issues };
  }
  const afterTotal = tm.index + tm[0].length;
  TCP_RE.lastIndex = 0;
  const rest = text.slice(afterTotal);
  const cm = TCP_RE.exec(rest);
  if (!cm) {
    issues.push(lineProblem(lineAt(afterTotal), 'ss -s: "TCP:" line missing or truncated', 'error'));
    return { issues };
  }
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const oldFormat = tm[2] !== undefined || cm[5] !== undefined || cm[7] !== undefined || cm[8] !== undefined;
  const summary: SsSummary = {
    format: oldFormat ? 'old' : 'new',
    total: Number(tm[1]),
    tcpTotal: Number(cm[1]),
    estab: Number(cm[2]),
    closed: Number(cm[3]),
    orphaned: Number(cm[4]),
    timewait: Number(cm[6]),
    rows: {},
    totalLine: lineAt(tm.index),
    tcpLine: lineAt(afterTotal + cm.index),
  };
  if (tm[2] !== undefined) summary.kernel = num(tm[2]);
  if (cm[5] !== undefined) summary.synrecv = num(cm[5]);
  if (cm[7] !== undefined) summary.timewait2 = num(cm[7]);
  if (cm[8] !== undefined) summary.ports = num(cm[8]);

  const tableFrom = afterTotal + cm.index + cm[0].length;
  const tail = text.slice(tableFrom);
  const hm = HEADER_RE.exec(tail);
  if (!hm) {
    issues.push(lineProblem(summary.tcpLine, 'ss -s: no transport table; per-family counts absent', 'warning'));
    return { summary, issues };
  }
  const tableText = tail.slice(hm.index + hm[0].length);
  ROW_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = ROW_RE.exec(tableText)) !== null) {
    // Rows must follow each other: stop at the first gap (a socket table may follow).
    if (tableText.slice(consumed, m.index).trim() !== '') break;
    consumed = m.index + m[0].length;
    const name = m[1] as SsRowName;
    if (summary.rows[name]) break;
    const row: SsRow = { total: Number(m[2]), line: lineAt(tableFrom + hm.index + hm[0].length + m.index + 1) };
    if (m[3] !== '-') row.ip = Number(m[3]);
    if (m[4] !== '-') row.ipv6 = Number(m[4]);
    if (name !== '*' && (row.ip === undefined || row.ipv6 === undefined)) {
      issues.push(lineProblem(row.line, `ss -s: ${name} row has "-" where a count belongs`, 'error'));
      continue;
    }
    summary.rows[name] = row;
    if (name === 'FRAG') break;
  }
  const missing = ROW_NAMES.filter((r) => !summary.rows[r]);
  if (missing.length > 0) {
    issues.push(lineProblem(summary.tcpLine, `ss -s: transport table truncated (missing ${missing.join(', ')})`));
  }
  return { summary, issues };
}
