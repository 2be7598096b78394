import { problem, type Problem, isProblem } from '../parse/problem.js';
import type { Line } from '../parse/types.js';
import { classify, gluedOutputAt, isProse, LineClass, lineGroup, promptCaptures, promptHost, sockstatShaped } from './classify.js';
import { parseTimestampLine, type TimeOptions, type Timestamp } from '../parse/time.js';
import type { Block, Section, SectionKind, SegmentStats, SysctlLine } from './types.js';
import { listingHeader, listingNoise, listingRow, type ListingKind } from '../parse/listing.js';
import { LINE_FORMATS, type InputFormat } from '../parse/formats/index.js';
import { sadfKind, sadfMarker } from './sadf-d.js';
import { parseSarHeader } from '../parse/sar-text.js';
import { SarTextReader } from './sar-text.js';
import { MAX_SADF_JSON, SadfJsonCollector, segmentSadfJson, startsSadfJson } from './sadf-json.js';

export interface SegmentOptions extends TimeOptions {
  /** Time for blocks that carry none (from the file name). */
  defaultTime?: Timestamp | Problem;
  /** Host for every block (bundle host name or `--host`); beats prompts. */
  host?: string;
  /**
   * Receives each `sysctl -a` line of the limit families; answers whether it gave limits
   * (the values are read by a later stage: normalize/limits.ts). Without it they are outside lines.
   */
  onSysctl?: (line: SysctlLine) => boolean;
  /** Network namespace for every block (supportconfig network-<NS>.txt). */
  namespace?: string;
  /** Number of the line before the first pushed one (to re-read a block from its own line on). */
  firstLine?: number;
  /** Receives a problem with a part of the input that is not a block (`sadf -j` that is no valid JSON). */
  onProblem?: (p: Problem) => void;
  /** Sees every line that belongs to no capture (kernel log lines among the captures: parse/kernel-log.ts). */
  onOther?: (raw: string, no: number) => void;
  /** `sadf -d` moments held at most (default MAX_SADF_PENDING). */
  maxSadfPending?: number;
}

/**
 * `sadf -d` rows are held until the end of the file, so that the activities of one moment
 * (`sadf -d -- -A` prints all SOCK rows, then all SOCK6 rows) make one snapshot. At most
 * this many moments are held (a day of one-second samples is 86,400): past it, the moment
 * met first goes out with what it has, so memory stays bounded on any input.
 */
export const MAX_SADF_PENDING = 1 << 17;

/**
 * Splits a stream of lines into capture blocks. A block starts at a timestamp
 * line, or where a section already present in the current block starts again.
 * Push lines one at a time (without the newline); blocks are emitted as soon
 * as they are complete, so memory holds one block.
 */
export class Segmenter {
  readonly stats: SegmentStats = { lines: 0, blank: 0, outside: 0, blocks: 0, limits: 0 };
  private block: Block | undefined;
  private section: Section | undefined;
  /** Groups seen in the open section (to notice a repeated section). */
  private groups = new Set<string>();
  private ssTableDone = false;
  private host: string | undefined;
  private no = 0;
  /**
   * sadf -d: the header of the current activity, and rows held until the end (SOCK and SOCK6 of one time merge).
   * `kind` is undefined for the other activities of `sadf -d -- -A`: their rows are outside lines.
   */
  private sadf: { names: string[]; header: Line; kind: SectionKind | undefined } | undefined;
  private sadfRows = new Map<string, Block>();
  /** sadf moments let go before the end of the file (more than MAX_SADF_PENDING pending). */
  private sadfEarly = 0;
  /** Keys of sadfRows in the order met, from sadfHead on. */
  private sadfOrder: string[] = [];
  private sadfHead = 0;
  /** The open block's time came from a timestamp line of its own (not the file's default). */
  private timed = false;
  /** Inside a socket listing: which kind (rows and continuation lines follow the header). */
  private listing: ListingKind | undefined;
  /** The whitespace before the listing's header (a paste indented as a whole): taken off its rows. */
  private listingIndent = '';
  /** Inside the output of a format recognized through the registry (its `lines`): which one. */
  private registered: InputFormat | undefined;
  /** Inside a plain `sar` report (segment/sar-text.ts). */
  private sar: SarTextReader | undefined;
  /** Inside `sadf -j` output met in text (segment/sadf-json.ts): its lines until the braces close. */
  private json: SadfJsonCollector | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: SegmentOptions,
    private readonly emit: (b: Block) => void,
  ) {
    this.host = opts.host;
    this.no = opts.firstLine ?? 0;
  }

  /** Lines read so far (the number of the last one). */
  get lineNo(): number {
    return this.no;
  }

  /** Host blocks get now: `--host`/bundle host, else the last prompt's. */
  get currentHost(): string | undefined {
    return this.host;
  }

  /**
   * True when a `date` line would simply start a new block here (not inside a socket
   * listing, whose rows are matched first): the condition for the byte-level fast path.
   */
  get neutral(): boolean {
    return !(this.listing && this.section?.kind === 'listing') && !(this.registered && this.section?.kind === this.registered.kind) && !this.sar && !this.json;
  }

  /**
   * The byte-level path (fast/scanner.ts) read `lines` lines itself (`blank` of them blank)
   * and made one block of them: count them, and emit the block still open here first,
   * as starting that block's timestamp line would have.
   */
  tookBlock(lines: number, blank: number): void {
    this.flush();
    this.no += lines;
    this.stats.lines += lines;
    this.stats.blank += blank;
    this.stats.blocks++;
  }

  push(raw: string): void {
    this.no++;
    this.stats.lines++;
    this.line(asPrinted(raw), this.no);
  }

  private line(raw: string, no: number): void {
    if (this.json) {
      if (this.json.push(raw)) this.endJson();
      return;
    }
    if (this.listing && this.section?.kind === 'listing') {
      const row = this.listingIndent && raw.startsWith(this.listingIndent) ? raw.slice(this.listingIndent.length) : raw;
      if (listingRow(this.listing, row)) {
        this.section.lines.push({ no, text: row });
        return;
      }
      if (listingNoise(raw)) {
        this.stats.outside++; // the command's own message (stderr in the same file): the listing goes on
        return;
      }
      if (raw.trim() === '') {
        this.stats.blank++; // a blank line between rows (a listing pasted double-spaced): the next line decides
        return;
      }
      this.listing = undefined;
    }
    if (this.registered) {
      const f = this.registered;
      if (this.section?.kind === f.kind && f.lines!.continues?.(raw, this.section.lines)) {
        this.section.lines.push({ no, text: raw });
        return;
      }
      if (f.lines!.blankInside && this.section?.kind === f.kind && raw.trim() === '') {
        this.stats.blank++;
        return;
      }
      this.registered = undefined;
    }
    const t = raw.trim();
    if (t === '') {
      this.stats.blank++;
      return;
    }
    if (t.charCodeAt(0) === 123 && startsSadfJson(t)) {
      this.flush();
      this.json = new SadfJsonCollector(no);
      if (this.json.push(raw)) this.endJson();
      return;
    }
    if ((this.sar || t.charCodeAt(0) === 76) && this.sarText(t, no)) return; // 'L': a `Linux ...` sar report header
    if (this.sadf && t.includes(';') && this.sadfRow(t, no)) return;
    const cls = classify(t);
    if (cls === LineClass.Other || cls === LineClass.Prompt) {
      const ts = parseTimestampLine(t, this.opts);
      if (ts) {
        this.startBlock(no, ts);
        return;
      }
    }
    if (cls === LineClass.Prompt || cls === LineClass.Other) {
      const at = gluedOutputAt(t);
      if (cls === LineClass.Prompt) {
        if (!this.opts.host) this.host = promptHost(t) ?? this.host;
        this.prompt(at > 0 ? t.slice(0, at) : t, no);
      }
      if (at > 0) {
        this.stats.outside++;
        this.line(t.slice(at), no);
        return;
      }
    }
    switch (cls) {
      case LineClass.SockstatStart:
        this.openSection('sockstat', no);
        break;
      case LineClass.Sockstat:
        this.addGrouped('sockstat', t, no);
        return;
      case LineClass.Sockstat6:
        this.addGrouped('sockstat6', t, no);
        return;
      case LineClass.Snmp:
        this.addSnmp(t, no);
        return;
      case LineClass.SsTotal:
        this.openSection('ss', no);
        break;
      case LineClass.SsTcp:
        if (!(this.section?.kind === 'ss' && !this.groups.has('TCP'))) this.openSection('ss', no);
        this.groups.add('TCP');
        break;
      case LineClass.Sysctl:
        this.sysctl(t, no);
        return;
      case LineClass.ListingHeader: {
        // A listing belongs to the capture it follows; a second one of a block adds to it.
        if (!this.block) this.startBlock(no, undefined);
        this.section = { kind: 'listing', file: this.file, line: no, lines: [{ no, text: t }] };
        this.block!.sections.push(this.section);
        this.listing = listingHeader(t);
        this.listingIndent = raw.slice(0, raw.length - raw.trimStart().length);
        return;
      }
      case LineClass.SadfHeader: {
        const names = t.slice(1).trim().split(';');
        this.sadf = { names, header: { no, text: t }, kind: sadfKind(names) };
        if (!this.sadf.kind) this.stats.outside++;
        this.section = undefined;
        return;
      }
      case LineClass.SsTable:
        if (this.section?.kind !== 'ss' || this.ssTableDone) {
          this.outside();
          return;
        }
        if (t.startsWith('FRAG')) this.ssTableDone = true;
        break;
      default:
        if (cls === LineClass.Other) {
          if (LINE_FORMATS.length > 0 && this.registeredStart(t, no)) return;
          // A group the parser does not know, inside sockstat output: part of it (other_keys).
          if ((this.section?.kind === 'sockstat' || this.section?.kind === 'sockstat6') && sockstatShaped(t)) {
            this.addGrouped(this.section.kind, t, no);
            return;
          }
        }
        this.opts.onOther?.(raw, no);
        if (cls === LineClass.Other && isProse(t)) {
          // Prose between pasted outputs ends the capture: what follows is another one.
          this.stats.outside++;
          this.flush();
          return;
        }
        this.outside();
        return;
    }
    this.section!.lines.push({ no, text: raw });
  }

  /** A line that starts the output of a format registered with `lines` (parse/formats/): open its section. */
  private registeredStart(t: string, no: number): boolean {
    for (const f of LINE_FORMATS) {
      if (!f.lines!.starts(t)) continue;
      this.openSection(f.kind, no);
      this.section!.lines.push({ no, text: t });
      this.registered = f;
      return true;
    }
    return false;
  }

  private sysctl(t: string, no: number): void {
    const line: SysctlLine = { text: t, source: `${this.file}:${no}` };
    if (this.host !== undefined) line.host = this.host;
    if (this.opts.onSysctl?.(line)) this.stats.limits++;
    else this.outside();
  }

  /** A plain `sar` report: its `Linux ... (host) date` header starts it; it ends at a line that is not sar's. */
  private sarText(t: string, no: number): boolean {
    if (this.sar) {
      const r = this.sar.push(t, no);
      if (r === 'take') return true;
      if (r === 'outside') {
        this.stats.outside++;
        return true;
      }
      this.endSar();
    }
    const h = parseSarHeader(t);
    if (!h) return false;
    this.flush();
    const o: ConstructorParameters<typeof SarTextReader>[2] = {};
    if (this.opts.tz) o.tz = this.opts.tz;
    else if (this.opts.tzRule !== undefined) o.tzRule = this.opts.tzRule;
    if (this.opts.host !== undefined) o.host = this.opts.host;
    if (this.opts.namespace !== undefined) o.namespace = this.opts.namespace;
    this.sar = new SarTextReader(this.file, h, o, (b) => {
      this.stats.blocks++;
      this.emit(b);
    });
    return true;
  }

  /** `sadf -j` gathered: read as a whole, as a `.json` file is. */
  private endJson(): void {
    const c = this.json!;
    this.json = undefined;
    const source = `${this.file}:${c.firstLine}`;
    if (c.tooLarge) {
      this.opts.onProblem?.(problem(source, `sadf -j output larger than ${MAX_SADF_JSON} bytes; not read`));
      return;
    }
    const o: Parameters<typeof segmentSadfJson>[2] = { firstLine: c.firstLine };
    if (this.opts.tz) o.tz = this.opts.tz;
    else if (this.opts.tzRule !== undefined) o.tzRule = this.opts.tzRule;
    if (this.opts.host !== undefined) o.host = this.opts.host;
    const r = segmentSadfJson(c.text(), this.file, o);
    if (r.problem) this.opts.onProblem?.(problem(source, `sadf -j: ${r.problem.reason}`));
    for (const b of r.blocks) {
      if (this.opts.namespace !== undefined) b.namespace = this.opts.namespace;
      this.stats.blocks++;
      this.emit(b);
    }
  }

  private endSar(): void {
    for (const b of this.sar!.finish()) {
      this.stats.blocks += b.parts;
      this.emit(b);
    }
    this.sar = undefined;
  }

  /** A `sadf -d` row: one moment of one host. Rows of one (host, time) become one block. */
  private sadfRow(t: string, no: number): boolean {
    const sadf = this.sadf!;
    if (!sadf.kind || t.charCodeAt(0) === 35) return false; // a row of another activity (outside), a header ('#')
    const f = t.split(';');
    if (f.length !== sadf.names.length) {
      if (sadfMarker(f)) return false; // LINUX-RESTART, COM: outside
      // A ragged row: a block of its own (no time: it merges with nothing), which the normalizer reports as a skip with its line.
      this.flush();
      this.stats.blocks++;
      this.emit({ file: this.file, line: no, sections: [{ kind: sadf.kind, file: this.file, line: no, lines: [sadf.header, { no, text: t }] }], parts: 1 });
      return true;
    }
    const ts = parseTimestampLine(f[2]!, this.opts);
    if (!ts) return false;
    const host = this.opts.host ?? f[0]!;
    const key = `${host}\u0000${f[2]}`;
    let b = this.sadfRows.get(key);
    if (!b) {
      b = { file: this.file, line: no, sections: [], parts: 0, host };
      if (isProblem(ts)) b.timeError = ts.reason;
      else b.time = ts;
      if (this.opts.namespace !== undefined) b.namespace = this.opts.namespace;
      this.sadfRows.set(key, b);
      this.sadfOrder.push(key);
      if (this.sadfRows.size > (this.opts.maxSadfPending ?? MAX_SADF_PENDING)) {
        // Bounded memory: the moment met first goes out now, with the activities read so far.
        // (A queue of keys: taking a Map's first entry after deleting from its front rescans the deleted slots.)
        const k0 = this.sadfOrder[this.sadfHead++]!;
        if (this.sadfHead > 4096 && this.sadfHead * 2 > this.sadfOrder.length) {
          this.sadfOrder = this.sadfOrder.slice(this.sadfHead);
          this.sadfHead = 0;
        }
        const b0 = this.sadfRows.get(k0)!;
        this.sadfRows.delete(k0);
        this.sadfEarly++;
        this.stats.blocks += b0.parts;
        this.emit(b0);
      }
    }
    if (b.sections.some((x) => x.kind === sadf.kind)) {
      // The same activity twice for one moment: keep both, as separate blocks.
      this.flush();
      this.stats.blocks++;
      this.emit({ file: this.file, line: no, sections: [{ kind: sadf.kind, file: this.file, line: no, lines: [sadf.header, { no, text: t }] }], parts: 1, host, ...(b.time ? { time: b.time } : {}) });
      return true;
    }
    b.sections.push({ kind: sadf.kind, file: this.file, line: no, lines: [sadf.header, { no, text: t }] });
    b.parts++;
    return true;
  }

  /**
   * A line outside any capture (a prompt, a separator, a shell message, garbage):
   * counted, and the capture goes on around it.
   */
  private outside(): void {
    this.stats.outside++;
  }

  /** A prompt whose command prints an output the open block already holds starts a new capture. */
  private prompt(t: string, no: number): void {
    if (!this.block) return;
    const kinds = promptCaptures(t);
    if (kinds.length > 0 && this.block.sections.some((s) => kinds.includes(s.kind))) this.startBlock(no, undefined);
    else if (kinds.length > 0) this.section = undefined;
  }

  private addGrouped(kind: SectionKind, t: string, no: number): void {
    const g = lineGroup(t);
    if (this.section?.kind !== kind || this.groups.has(g)) this.openSection(kind, no);
    this.groups.add(g);
    this.section!.lines.push({ no, text: t });
  }

  private addSnmp(t: string, no: number): void {
    // Header and value lines come in pairs per group: a group's third line starts a new section.
    const g = lineGroup(t);
    const seen = this.section?.kind === 'snmp' ? this.section.lines.filter((l) => lineGroup(l.text.trim()) === g).length : 2;
    if (seen >= 2) this.openSection('snmp', no);
    this.section!.lines.push({ no, text: t });
  }

  private openSection(kind: SectionKind, no: number): void {
    if (!this.block || this.block.sections.some((s) => s.kind === kind)) {
      // Output repeated with no timestamp, prompt or prose between: never a time-less capture of its own.
      const tailOf = this.block && this.timed ? `${this.block.file}:${this.block.line}` : undefined;
      this.startBlock(no, undefined);
      if (tailOf) this.block!.untimedAfter = tailOf;
    }
    this.section = { kind, file: this.file, line: no, lines: [] };
    this.groups = new Set(kind === 'sockstat' ? ['sockets'] : []);
    this.ssTableDone = false;
    this.block!.sections.push(this.section);
  }

  private startBlock(no: number, ts: Timestamp | Problem | undefined): void {
    this.flush();
    this.timed = ts !== undefined;
    const b: Block = { file: this.file, line: no, sections: [], parts: 1 };
    const time = ts ?? this.opts.defaultTime;
    if (time) {
      if (isProblem(time)) b.timeError = time.reason;
      else b.time = time;
    }
    if (this.host !== undefined) b.host = this.host;
    if (this.opts.namespace !== undefined) b.namespace = this.opts.namespace;
    this.block = b;
    this.section = undefined;
  }

  private flush(): void {
    if (this.block) {
      this.stats.blocks++;
      this.emit(this.block);
    }
    this.block = undefined;
    this.section = undefined;
  }

  /** Call at end of input: emits the last block (and the held sadf rows, in time order). */
  end(): void {
    if (this.json) this.endJson();
    this.flush();
    if (this.sar) this.endSar();
    if (this.sadfEarly) {
      this.opts.onProblem?.(problem(
        this.file,
        `sadf -d rows of more than ${this.opts.maxSadfPending ?? MAX_SADF_PENDING} moments: ${this.sadfEarly} moment(s) were let go before the end of the file to bound memory; ` +
          `an activity of those moments met after that (SOCK6 after SOCK) is a row of its own`,
        'warning',
      ));
      this.sadfEarly = 0;
    }
    const rows = [...this.sadfRows.values()].sort((a, b) => (a.time?.ms ?? 0) - (b.time?.ms ?? 0) || a.line - b.line);
    for (const b of rows) {
      this.stats.blocks += b.parts;
      this.emit(b);
    }
    this.sadfRows.clear();
    this.sadfOrder = [];
    this.sadfHead = 0;
  }
}

/** Pure helper: all blocks of a whole text (tests, small inputs). */
export function segmentText(text: string, file: string, opts: SegmentOptions = {}): { blocks: Block[]; stats: SegmentStats } {
  const blocks: Block[] = [];
  const seg = new Segmenter(file, opts, (b) => blocks.push(b));
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) seg.push(l.endsWith('\r') ? l.slice(0, -1) : l);
  seg.end();
  return { blocks, stats: seg.stats };
}

export type { Line };

/**
 * A line as the tool printed it, from a line as a ticket or a mail brings it: the quote
 * markers of a mail reply (`> `, `>> `, `> > `) taken off, and the no-break spaces a web page
 * or a rich-text editor puts for spaces (U+00A0, U+2007, U+202F) made spaces again. No tool
 * whose output sockscope reads starts a line with `>` or prints a no-break space.
 */
export function asPrinted(raw: string): string {
  let t = raw;
  if (t.charCodeAt(0) === 62 && /^(?:> ?)+/.test(t)) t = t.replace(/^(?:> ?)+/, '');
  if (/[\u00a0\u2007\u202f]/.test(t)) t = t.replace(/[\u00a0\u2007\u202f]/g, ' ');
  return t;
}
