import { parseListing, TCP_STATES, type ListingSummary, type TcpState } from '../parse/listing.js';
import { formatBit, formatOf, FORMATS } from '../parse/formats/index.js';
import type { Block, SectionKind } from '../segment/types.js';
import { isCounterName } from '../parse/counters.js';
import { ALL_FIELDS, FIELD_INDEX, type Field } from './fields.js';
import type { Diagnostic, Snapshot, Values } from './types.js';
import { locate, problem, type Problem } from '../parse/problem.js';

/** Where a value came from: the format's priority and label, and the file and line (formatted only when reported). */
interface Candidate {
  value: number;
  priority: number;
  label: string;
  file: string;
  line: number;
}


const STATE_FIELD: Record<TcpState, Field> = {
  ESTAB: 'list_estab', 'SYN-SENT': 'list_syn_sent', 'SYN-RECV': 'list_syn_recv', 'FIN-WAIT-1': 'list_fin_wait1',
  'FIN-WAIT-2': 'list_fin_wait2', 'TIME-WAIT': 'list_time_wait', 'CLOSE-WAIT': 'list_close_wait', 'LAST-ACK': 'list_last_ack',
  LISTEN: 'list_listen', CLOSING: 'list_closing',
};

export const NO_KEYS: Record<string, number> = Object.freeze({}) as Record<string, number>;
export const NO_DIAGNOSTICS: Diagnostic[] = Object.freeze([]) as unknown as Diagnostic[];
const FORMAT_LISTS = new Map<number, string[]>();
/** The `formats` list of a mask of registry bits (one shared, frozen array per mask). */
export function formatList(mask: number): string[] {
  let l = FORMAT_LISTS.get(mask);
  if (!l) FORMAT_LISTS.set(mask, (l = Object.freeze(FORMATS.filter((f) => mask & formatBit(f.kind)).map((f) => f.kind)) as unknown as string[]));
  return l;
}

/**
 * TCP sockets allocated but in no hash table: `ss -s` prints closed = alloc - (inuse4 +
 * inuse6 - tw), since sockstat's inuse counts time-wait sockets and alloc does not.
 */
export const tcpClosedOf = (alloc: number, in4: number, in6: number, tw: number): number => alloc - (in4 + in6 - tw);
/** closed - timewait: sockets allocated and never connected or bound (TCP_CLOSE). */
export const tcpUnhashedOf = (closed: number, tw: number): number => closed - tw;

/** A snapshot, or the block's skip: a Problem of severity `error` (the block is not a snapshot). */
export type NormalizeResult = { snapshot: Snapshot } | { skip: Problem };

const at = (file: string, line: number): string => `${file}:${line}`;

/**
 * One block (possibly merged from several files of one moment) → one snapshot,
 * or a skip with the reason. Reconciles sockstat, sockstat6, `ss -s` and snmp:
 * derives each view from the others where the arithmetic allows and reports
 * every disagreement as a diagnostic naming the field, both values and sources.
 */
export function normalizeBlock(block: Block): NormalizeResult {
  const source = at(block.file, block.line);
  if (block.sections.length === 0) {
    return { skip: problem(source, 'timestamp with no capture after it') };
  }
  if (block.untimedAfter !== undefined && !block.time) {
    const kinds = block.sections.map((s) => formatOf(s.kind)?.label ?? s.kind).join(', ');
    return { skip: problem(source, `${kinds} repeated inside the capture at ${block.untimedAfter} with no timestamp of its own; not a snapshot`) };
  }
  const diagnostics: Diagnostic[] = [];
  const cands: (Candidate[] | undefined)[] = new Array(ALL_FIELDS.length);
  const otherKeys: Record<string, number> = {};
  /** Protocol counters by nstat name that are not fields (parse/counters.ts). */
  let counters: Record<string, number> | undefined;
  const put = (field: string, value: number, format: SectionKind, file: string, line: number): void => {
    const i = FIELD_INDEX.get(field);
    if (i === undefined) {
      if (isCounterName(field)) (counters ??= {})[field] = value;
      else otherKeys[field] = value;
      return;
    }
    const fmt = formatOf(format);
    const c: Candidate = { value, priority: fmt?.priority ?? 9, label: fmt?.label ?? format, file, line };
    const list = cands[i];
    if (list) list.push(c);
    else cands[i] = [c];
  };
  /** Values printed that normalize derives itself (ss -s `closed`), with where they were read. */
  const printed = new Map<string, { value: number; file: string; line: number; label: string }>();
  let listing: ListingSummary | undefined;

  for (const sec of block.sections) {
    const fmt = formatOf(sec.kind);
    if (fmt?.read) {
      const out = fmt.read(sec.lines);
      const err = out.issues.find((i) => i.severity === 'error');
      if (err) return { skip: locate(err, sec.file) };
      for (const w of out.issues) diagnostics.push({ kind: 'parse', source: locate(w, sec.file).source, message: w.reason });
      for (const c of out.values) {
        // Values no counter can have are said, never silently changed (issue 18 item 17).
        if (!Number.isFinite(c.value)) {
          return { skip: problem(at(sec.file, c.line), `${fmt.label}: ${c.field} is not a finite number (too many digits); not a snapshot`) };
        }
        if (!Number.isSafeInteger(c.value)) {
          diagnostics.push({ kind: 'parse', source: at(sec.file, c.line), field: c.field, message: `${fmt.label}: ${c.field} ${c.value} is past 2^53 and not an exact integer; kept approximately` });
        } else if (c.value < 0 && FIELD_INDEX.has(c.field)) { // socket counts; snmp MaxConn is -1 by design
          diagnostics.push({ kind: 'parse', source: at(sec.file, c.line), field: c.field, message: `${fmt.label}: ${c.field} is negative (${c.value}); kept as read` });
        }
        put(c.field, c.value, sec.kind, sec.file, c.line);
      }
      if (out.otherKeys) for (const k in out.otherKeys) otherKeys[k] = out.otherKeys[k]!;
      if (out.checks) for (const c of out.checks) diagnostics.push({ kind: 'derive', source: locate(c, sec.file).source, message: c.reason });
      if (out.printed) {
        for (const k in out.printed) if (!printed.has(k)) printed.set(k, { ...out.printed[k]!, file: sec.file, label: fmt.label });
      }
    } else if (sec.kind === 'listing') {
      listing = parseListing(sec.lines, listing).summary;
    } else {
      return { skip: problem(at(sec.file, sec.line), `${sec.kind}: no reader for this format`) };
    }
  }

  // Pick one value per field, report disagreements.
  const values: Values = {};
  for (let i = 0; i < cands.length; i++) {
    const list = cands[i];
    if (!list) continue;
    const field = ALL_FIELDS[i]!;
    if (list.length > 1) list.sort((a, b) => a.priority - b.priority);
    const primary = list[0]!;
    values[field] = primary.value;
    for (let k = 1; k < list.length; k++) {
      const other = list[k]!;
      if (other.value !== primary.value) {
        const ps = at(primary.file, primary.line);
        const os = at(other.file, other.line);
        diagnostics.push({
          kind: 'disagree',
          field,
          kept: primary.value,
          other: other.value,
          source: os,
          message: `${field}: ${primary.label} ${primary.value} (${ps}) but ${other.label} ${other.value} (${os}); kept ${primary.value}`,
        });
      }
    }
  }

  // closed = alloc - (inuse4 + inuse6 - tw); unhashed = closed - tw.
  const { tcp_alloc: alloc, tcp4_inuse: in4, tcp6_inuse: in6, tcp_tw: tw } = values;
  const closed = printed.get('tcp_closed');
  if (alloc !== undefined && in4 !== undefined && in6 !== undefined && tw !== undefined) {
    values.tcp_closed = tcpClosedOf(alloc, in4, in6, tw);
    if (closed && closed.value !== values.tcp_closed) {
      const cs = at(closed.file, closed.line);
      diagnostics.push({
        kind: 'disagree',
        field: 'tcp_closed',
        kept: values.tcp_closed,
        other: closed.value,
        source: cs,
        message: `tcp_closed: computed ${values.tcp_closed} = ${alloc} - (${in4} + ${in6} - ${tw}) but ${closed.label} printed ${closed.value} (${cs}); kept ${values.tcp_closed}`,
      });
    }
  } else if (closed) {
    values.tcp_closed = closed.value;
  }
  if (values.tcp_closed !== undefined && values.tcp_tw !== undefined) {
    values.tcp_unhashed = tcpUnhashedOf(values.tcp_closed, values.tcp_tw);
  }

  if (listing) {
    if (listing.kinds.some((k) => k !== 'lsof')) {
      for (const st of TCP_STATES) values[STATE_FIELD[st]] = listing.states[st] ?? 0;
      listingChecks(values, listing, source, diagnostics);
    }
    if (listing.lsofUnhashed !== undefined) values.lsof_unhashed = listing.lsofUnhashed;
  }

  if (block.timeError) diagnostics.push({ kind: 'time', source, message: block.timeError });
  else if (block.time?.note) diagnostics.push({ kind: 'time', source, message: block.time.note });
  if (block.timeNote) diagnostics.push({ kind: 'time', source, message: block.timeNote });

  let mask = 0;
  for (const sec of block.sections) mask |= formatBit(sec.kind);
  const sources: string[] = [];
  for (const sec of block.sections) {
    const src = at(sec.file, sec.line);
    if (!sources.includes(src)) sources.push(src);
  }
  // Shared, frozen empties and format lists: a long series holds hundreds of thousands of snapshots.
  const snapshot: Snapshot = {
    source,
    sources,
    formats: formatList(mask),
    values,
    otherKeys: Object.keys(otherKeys).length ? otherKeys : NO_KEYS,
    diagnostics: diagnostics.length ? diagnostics : NO_DIAGNOSTICS,
  };
  if (block.host !== undefined) snapshot.host = block.host;
  if (block.namespace !== undefined) snapshot.namespace = block.namespace;
  if (listing) snapshot.listing = listing;
  if (counters) snapshot.counters = counters;
  if (block.time) {
    snapshot.time = block.time.iso;
    snapshot.timeMs = block.time.ms;
  }
  return { snapshot };
}

/**
 * The listing against the counters of the same moment. Known differences are
 * explained rather than flagged: newer kernels (mid-2024 on) count CLOSE-WAIT in
 * CurrEstab, and FIN-WAIT-2 sockets whose application closed are minisocks counted in tw.
 */
function listingChecks(v: Values, l: ListingSummary, source: string, out: Diagnostic[]): void {
  const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(5, 0.05 * Math.max(a, b));
  const est = l.states.ESTAB ?? 0;
  const cw = l.states['CLOSE-WAIT'] ?? 0;
  if (v.tcp_estab !== undefined && !near(v.tcp_estab, est) && !near(v.tcp_estab, est + cw)) {
    out.push({
      kind: 'listing', field: 'tcp_estab', source, kept: v.tcp_estab, other: est,
      message: `tcp_estab ${v.tcp_estab} but the listing has ${est} ESTAB (+ ${cw} CLOSE-WAIT, which kernels since mid-2024 count in CurrEstab); the listing and the counters were not read together`,
    });
  }
  const tw = l.states['TIME-WAIT'] ?? 0;
  const fw2 = l.states['FIN-WAIT-2'] ?? 0;
  if (v.tcp_tw !== undefined && !near(v.tcp_tw, tw) && !(v.tcp_tw >= tw && v.tcp_tw <= tw + fw2 + 5)) {
    out.push({
      kind: 'listing', field: 'tcp_tw', source, kept: v.tcp_tw, other: tw,
      message: `tcp_tw ${v.tcp_tw} but the listing has ${tw} TIME-WAIT (tw also counts FIN-WAIT-2 minisocks: ${fw2} listed); the listing and the counters were not read together`,
    });
  }
}
