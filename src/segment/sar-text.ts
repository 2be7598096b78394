import { isProblem } from '../parse/problem.js';
import { isSarNumber, parseSarClock, sarSockKind, type SarHeader } from '../parse/sar-text.js';
import { classify, LineClass } from './classify.js';
import { parseTimestampLine, type TimeOptions } from '../parse/time.js';
import type { Line } from '../parse/types.js';
import type { Block, SectionKind } from './types.js';

export interface SarTextOptions extends TimeOptions {
  /** `--host` or the bundle's host: beats the report header's. */
  host?: string;
  namespace?: string;
}

/** What a line is to the report: read (part of a SOCK/SOCK6 capture), outside (sar's other lines), or not sar's. */
export type SarLine = 'take' | 'outside' | 'end';

const DAY = 86400;

/**
 * Reads one plain `sar` report, from the line after its `Linux ... (host) date` header
 * (parse/sar-text.ts) until a line that is not sar's. The rows of `sar -n SOCK` and
 * `SOCK6` become blocks of one moment each (SOCK and SOCK6 of a time merge), with the
 * section shape of `sadf -d` (parse/formats/sadf-d.ts reads them), held until the report
 * ends and then given in time order. Other activities, `Average:`/`Summary:` lines,
 * `LINUX RESTART` markers and `COM` comments are outside lines.
 *
 * Time: the header's date plus each line's time of day, in the host's zone, which sar
 * does not print: `--tz`, else UTC with a note. A time earlier than the one before by
 * more than 12 hours is the next day (midnight passed); the first time after an
 * `Average:` line, or the report's first time seen again, starts over on the header's
 * date (`sar -A` from a data file prints one activity after another over the whole day).
 */
export class SarTextReader {
  private kind: SectionKind | undefined;
  private header: Line | undefined;
  private cols = 0;
  private day = 0;
  private last: number | undefined;
  private first: number | undefined;
  private afterAverage = false;
  private readonly averages = new Set(['Average:', 'Summary:']);
  private readonly held = new Map<string, Block>();
  private readonly host: string;

  constructor(
    private readonly file: string,
    private readonly report: SarHeader,
    private readonly opts: SarTextOptions,
    /** Blocks that cannot wait (a ragged row, a moment's activity seen twice). */
    private readonly emit: (b: Block) => void,
  ) {
    this.host = opts.host ?? report.host;
  }

  push(t: string, no: number): SarLine {
    const clock = parseSarClock(t);
    if (!clock) return this.label(t) ? 'outside' : 'end';
    let abs = this.day * DAY + clock.sec;
    if (this.last === undefined) this.first = clock.sec;
    else if (this.afterAverage || (clock.sec === this.first && abs < this.last)) {
      this.day = 0;
      abs = clock.sec;
    } else if (abs < this.last - DAY / 2) {
      this.day++;
      abs += DAY;
    }
    this.afterAverage = false;
    this.last = abs;
    const rest = clock.rest;
    // Markers inside an activity (a reboot, a `sar -C` comment): the activity goes on after them.
    if (rest === '' || rest.startsWith('LINUX RESTART') || rest.startsWith('COM ')) return 'outside';
    const cols = rest.split(/\s+/);
    if (!cols.some(isSarNumber)) {
      // An activity's header: its columns.
      this.cols = cols.length;
      this.kind = sarSockKind(cols);
      if (!this.kind) return 'outside';
      this.header = { no, text: `# hostname;interval;timestamp;${cols.join(';')}` };
      return 'take';
    }
    if (!this.kind) return 'outside';
    this.row(cols, abs, no);
    return 'take';
  }

  /** `Average:`, `Summary:` and their localized forms (learned when the columns fit). */
  private label(t: string): boolean {
    const sp = t.search(/\s/);
    const label = sp < 0 ? t : t.slice(0, sp);
    if (!label.endsWith(':') || label.length < 2) return false;
    if (!this.averages.has(label)) {
      if (classify(t) !== LineClass.Other) return false; // sockstat, ss -s, snmp: not sar's
      const n = sp < 0 ? 0 : t.slice(sp).trim().split(/\s+/).length;
      if (!/[^\x20-\x7e]/.test(label) && n !== this.cols) return false;
      this.averages.add(label);
    }
    this.afterAverage = true;
    return true;
  }

  private row(cols: string[], abs: number, no: number): void {
    const kind = this.kind!;
    const r = this.report.date;
    const d = new Date(Date.UTC(r.y, r.m - 1, r.d) + abs * 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    const stamp = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
    const section = { kind, file: this.file, line: no, lines: [this.header!, { no, text: `${this.host};-1;${stamp};${cols.join(';')}` }] };
    if (cols.length !== this.cols) {
      // A ragged row: a block of its own with no time (it merges with nothing); read as a skip with its line.
      this.emit({ file: this.file, line: no, sections: [section], parts: 1, host: this.host });
      return;
    }
    const b: Block = { file: this.file, line: no, sections: [section], parts: 1, host: this.host };
    const ts = parseTimestampLine(stamp, this.opts);
    if (!ts || isProblem(ts)) b.timeError = ts ? ts.reason : `cannot place ${stamp}`;
    else {
      // With a zone (--tz or the bundle's rule) the note is the time's own (a daylight-saving change).
      const zoned = this.opts.tz !== undefined || this.opts.tzRule !== undefined;
      const notes = [ts.note ? (zoned ? ts.note : `sar prints the host's local time with no zone: read as UTC (pass --tz ZONE to change)`) : undefined, r.note];
      const note = notes.filter((x) => x !== undefined).join('; ');
      if (note) ts.note = note;
      else delete ts.note;
      b.time = ts;
    }
    if (this.opts.namespace !== undefined) b.namespace = this.opts.namespace;
    const key = stamp;
    const held = this.held.get(key);
    if (!held) this.held.set(key, b);
    else if (held.sections.some((s) => s.kind === kind)) this.emit(b); // the same activity twice for one moment: both kept
    else {
      held.sections.push(section);
      held.parts++;
    }
  }

  /** End of the report: the held blocks, in time order. */
  finish(): Block[] {
    const out = [...this.held.values()].sort((a, b) => (a.time?.ms ?? 0) - (b.time?.ms ?? 0) || a.line - b.line);
    this.held.clear();
    return out;
  }
}
