import { isProblem, problem, type Problem } from '../parse/problem.js';
import { parseTimestampLine, type TimeOptions } from '../parse/time.js';
import type { Block, Section } from './types.js';

/** Does this text look like `sadf -j` output? (cheap test on its start) */
export function looksLikeSadfJson(head: string): boolean {
  return /^\s*\{\s*"sysstat"\s*:/.test(head);
}

interface SadfJson {
  sysstat?: {
    hosts?: {
      nodename?: string;
      statistics?: {
        timestamp?: { date?: string; time?: string; utc?: number };
        network?: Record<string, Record<string, number> | undefined>;
      }[];
    }[];
  };
}

const ACTIVITIES: [string, Section['kind']][] = [
  ['net-sock', 'sar-sock'],
  ['net-sock6', 'sar-sock6'],
];

/**
 * `sadf -j` (sar -n SOCK,SOCK6) → one block per record, with the same
 * `# hostname;interval;timestamp;...` header/row lines sadf -d prints, so
 * normalize reads both forms alike. Lines point at each record's `"timestamp"`.
 */
export function segmentSadfJson(text: string, file: string, opts: TimeOptions & { host?: string; firstLine?: number } = {}): { blocks: Block[]; problem?: Problem } {
  let doc: SadfJson;
  try {
    doc = JSON.parse(text) as SadfJson;
  } catch (e) {
    return { blocks: [], problem: problem(file, `not valid JSON: ${(e as Error).message}`) };
  }
  const hosts = doc.sysstat?.hosts;
  if (!Array.isArray(hosts)) return { blocks: [], problem: problem(file, 'sadf -j: no sysstat.hosts') };
  // Line of every "timestamp" key, in order: records appear in the same order.
  const tsLines: number[] = [];
  let line = opts.firstLine ?? 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34 && text.startsWith('"timestamp"', i)) tsLines.push(line);
  }
  const blocks: Block[] = [];
  let k = 0;
  for (const h of hosts) {
    const host = opts.host ?? h.nodename;
    for (const rec of h.statistics ?? []) {
      const no = tsLines[k++] ?? 1;
      const t = rec.timestamp;
      if (!t?.date || !t.time) continue;
      const stamp = `${t.date} ${t.time}${t.utc === 1 ? ' UTC' : ''}`;
      const sections: Section[] = [];
      for (const [key, kind] of ACTIVITIES) {
        const act = rec.network?.[key];
        if (!act) continue;
        const names = Object.keys(act);
        sections.push({
          kind,
          file,
          line: no,
          lines: [
            { no, text: `# hostname;interval;timestamp;${names.join(';')}` },
            { no, text: `${host ?? ''};0;${stamp};${names.map((n) => act[n]).join(';')}` },
          ],
        });
      }
      if (!sections.length) continue;
      const b: Block = { file, line: no, sections, parts: 1 };
      if (host !== undefined) b.host = host;
      const ts = parseTimestampLine(stamp, opts);
      if (ts && !isProblem(ts)) b.time = ts;
      else b.timeError = ts && isProblem(ts) ? ts.reason : `sadf -j: cannot read time ${JSON.stringify(stamp)}`;
      blocks.push(b);
    }
  }
  return { blocks };
}

/** The first line of `sadf -j` output (`{"sysstat": {`), wherever the file has it and whatever its name. */
export function startsSadfJson(t: string): boolean {
  return t.charCodeAt(0) === 123 && /^\{\s*"sysstat"\s*:/.test(t); // '{'
}

/** Largest `sadf -j` document read from a text stream (the same bound as a `.json` file). */
export const MAX_SADF_JSON = 256 << 20;

/**
 * `sadf -j` met in a text stream (stdin, a file not named `.json`, a member of an
 * archive): its lines are gathered from `{"sysstat":` until the braces close, then read
 * as a whole with segmentSadfJson. Strings are skipped when counting braces.
 */
export class SadfJsonCollector {
  private readonly parts: string[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Set when the document grew past MAX_SADF_JSON: the rest is not kept. */
  tooLarge = false;

  constructor(readonly firstLine: number) {}

  /** Adds a raw line; true when the document is complete. */
  push(raw: string): boolean {
    this.size += raw.length + 1;
    if (this.size > MAX_SADF_JSON) this.tooLarge = true;
    if (!this.tooLarge) this.parts.push(raw);
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true; // '\\'
        else if (c === 34) this.inString = false;
      } else if (c === 34) this.inString = true;
      else if (c === 123) this.depth++;
      else if (c === 125 && --this.depth === 0) return true;
    }
    return false;
  }

  /** Lines gathered. */
  get lines(): number {
    return this.parts.length;
  }

  text(): string {
    return this.parts.join('\n');
  }
}
