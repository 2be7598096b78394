import { parseSnmp } from '../parse/snmp.js';
import { parseSockstat } from '../parse/sockstat.js';
import { parseSsSummary, type SsSummary } from '../parse/ss.js';
import { parseListing, TCP_STATES, type ListingSummary, type TcpState } from '../parse/listing.js';
import type { Block, Section, SectionKind } from '../segment/types.js';
import { ALL_FIELDS, type Field } from './fields.js';
import type { Diagnostic, Skip, Snapshot, Values } from './types.js';

/** Where a value came from: the format and the file and line (formatted only when reported). */
interface Candidate {
  value: number;
  format: SectionKind;
  file: string;
  line: number;
}

const FIELD_INDEX = new Map<Field, number>(ALL_FIELDS.map((f, i) => [f, i]));

const FORMAT_LABEL: Record<SectionKind, string> = {
  sockstat: 'sockstat',
  sockstat6: 'sockstat6',
  ss: 'ss -s',
  snmp: 'snmp',
  'sar-sock': 'sar -n SOCK',
  'sar-sock6': 'sar -n SOCK6',
  listing: 'socket listing',
};

const STATE_FIELD: Record<TcpState, Field> = {
  ESTAB: 'list_estab', 'SYN-SENT': 'list_syn_sent', 'SYN-RECV': 'list_syn_recv', 'FIN-WAIT-1': 'list_fin_wait1',
  'FIN-WAIT-2': 'list_fin_wait2', 'TIME-WAIT': 'list_time_wait', 'CLOSE-WAIT': 'list_close_wait', 'LAST-ACK': 'list_last_ack',
  LISTEN: 'list_listen', CLOSING: 'list_closing',
};

/** sar -n SOCK / SOCK6 columns (sadf) → fields. sar keeps no alloc, orphan or mem. */
const SADF_MAP: Record<string, Field> = {
  totsck: 'sockets_used',
  tcpsck: 'tcp4_inuse',
  udpsck: 'udp4_inuse',
  rawsck: 'raw4_inuse',
  'ip-frag': 'frag4_inuse',
  'tcp-tw': 'tcp_tw',
  tcp6sck: 'tcp6_inuse',
  udp6sck: 'udp6_inuse',
  raw6sck: 'raw6_inuse',
  'ip6-frag': 'frag6_inuse',
};

/** sockstat `GROUP.key` → field. Anything else is kept in `otherKeys`. */
const SOCKSTAT_MAP: Record<string, Field> = {
  'sockets.used': 'sockets_used',
  'TCP.inuse': 'tcp4_inuse',
  'TCP.orphan': 'tcp_orphan',
  'TCP.tw': 'tcp_tw',
  'TCP.alloc': 'tcp_alloc',
  'TCP.mem': 'tcp_mem_pages',
  'TCP.highest': 'tcp_highest',
  'UDP.inuse': 'udp4_inuse',
  'UDP.mem': 'udp_mem_pages',
  'UDP.highest': 'udp_highest',
  'UDPLITE.inuse': 'udplite4_inuse',
  'RAW.inuse': 'raw4_inuse',
  'FRAG.inuse': 'frag4_inuse',
  'FRAG.memory': 'frag4_memory',
  'TCP6.inuse': 'tcp6_inuse',
  'UDP6.inuse': 'udp6_inuse',
  'UDPLITE6.inuse': 'udplite6_inuse',
  'RAW6.inuse': 'raw6_inuse',
  'FRAG6.inuse': 'frag6_inuse',
  'FRAG6.memory': 'frag6_memory',
};

/** SOCKSTAT_MAP by group, then key (no string building per value). */
const SOCKSTAT_BY_GROUP: Record<string, Record<string, Field>> = {};
for (const [gk, f] of Object.entries(SOCKSTAT_MAP)) {
  const [g, k] = gk.split('.') as [string, string];
  (SOCKSTAT_BY_GROUP[g] ??= {})[k] = f;
}

/** Which format wins when several give a field: sockstat is primary (DESIGN §4). */
const PRIORITY: Record<SectionKind, number> = { sockstat: 0, sockstat6: 0, ss: 1, snmp: 2, 'sar-sock': 1, 'sar-sock6': 1, listing: 3 };

const FORMAT_ORDER = ['sockstat', 'sockstat6', 'ss', 'snmp', 'sar-sock', 'sar-sock6', 'listing'] as const;

export const NO_KEYS: Record<string, number> = Object.freeze({}) as Record<string, number>;
export const NO_DIAGNOSTICS: Diagnostic[] = Object.freeze([]) as unknown as Diagnostic[];
const FORMAT_LISTS = new Map<number, string[]>();
export function formatList(mask: number): string[] {
  let l = FORMAT_LISTS.get(mask);
  if (!l) FORMAT_LISTS.set(mask, (l = Object.freeze(FORMAT_ORDER.filter((_, i) => mask & (1 << i))) as unknown as string[]));
  return l;
}

export type NormalizeResult = { snapshot: Snapshot } | { skip: Skip };

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
    return { skip: { source, reason: 'timestamp with no capture after it' } };
  }
  const diagnostics: Diagnostic[] = [];
  const cands: (Candidate[] | undefined)[] = new Array(ALL_FIELDS.length);
  const otherKeys: Record<string, number> = {};
  const put = (field: Field, value: number, format: SectionKind, file: string, line: number): void => {
    const i = FIELD_INDEX.get(field)!;
    const c: Candidate = { value, format, file, line };
    const list = cands[i];
    if (list) list.push(c);
    else cands[i] = [c];
  };
  let ss: { summary: SsSummary; section: Section } | undefined;
  let listing: ListingSummary | undefined;

  for (const sec of block.sections) {
    if (sec.kind === 'sockstat' || sec.kind === 'sockstat6') {
      const p = parseSockstat(sec.lines);
      const err = p.issues.find((i) => i.severity === 'error');
      if (err) return { skip: { source: at(sec.file, err.line), reason: `${sec.kind}: ${err.message}` } };
      for (const w of p.issues) diagnostics.push({ kind: 'parse', source: at(sec.file, w.line), message: w.message });
      for (const group in p.groups) {
        const kv = p.groups[group]!;
        const known = SOCKSTAT_BY_GROUP[group];
        const line = p.lineOf[group]!;
        for (const key in kv) {
          const field = known?.[key];
          if (field) put(field, kv[key]!, sec.kind, sec.file, line);
          else otherKeys[`${group}.${key}`] = kv[key]!;
        }
      }
    } else if (sec.kind === 'ss') {
      const p = parseSsSummary(sec.lines);
      const err = p.issues.find((i) => i.severity === 'error');
      if (err || !p.summary) {
        return { skip: { source: at(sec.file, err?.line ?? sec.line), reason: err?.message ?? 'ss -s unreadable' } };
      }
      for (const w of p.issues) diagnostics.push({ kind: 'parse', source: at(sec.file, w.line), message: w.message });
      const s = p.summary;
      ss = { summary: s, section: sec };
      const f = sec.file;
      const tl = s.tcpLine;
      put('sockets_used', s.total, 'ss', f, s.totalLine);
      if (s.kernel !== undefined) put('ss_kernel', s.kernel, 'ss', f, s.totalLine);
      // TCP: N is alloc + tw (old format: alloc + synrecv + tw).
      put('tcp_alloc', s.tcpTotal - s.timewait - (s.synrecv ?? 0), 'ss', f, tl);
      put('tcp_tw', s.timewait, 'ss', f, tl);
      put('tcp_orphan', s.orphaned, 'ss', f, tl);
      put('tcp_estab', s.estab, 'ss', f, tl);
      if (s.synrecv !== undefined) put('tcp_synrecv', s.synrecv, 'ss', f, tl);
      if (s.timewait2 !== undefined) put('tcp_tw2', s.timewait2, 'ss', f, tl);
      if (s.ports !== undefined) put('ss_ports', s.ports, 'ss', f, tl);
      const rows = s.rows;
      const pair = (row: typeof rows.TCP, f4: Field, f6: Field): void => {
        if (!row) return;
        if (row.ip !== undefined) put(f4, row.ip, 'ss', f, row.line);
        if (row.ipv6 !== undefined) put(f6, row.ipv6, 'ss', f, row.line);
      };
      pair(rows.TCP, 'tcp4_inuse', 'tcp6_inuse');
      pair(rows.UDP, 'udp4_inuse', 'udp6_inuse');
      pair(rows.RAW, 'raw4_inuse', 'raw6_inuse');
      pair(rows.FRAG, 'frag4_inuse', 'frag6_inuse');
      if (rows['*']) put('ss_slab_total', rows['*'].total, 'ss', f, rows['*'].line);
      internalSsChecks(s, sec.file, diagnostics);
    } else if (sec.kind === 'listing') {
      listing = parseListing(sec.lines, listing).summary;
    } else if (sec.kind === 'sar-sock' || sec.kind === 'sar-sock6') {
      // lines: the `# hostname;interval;timestamp;...` header and one row.
      const names = sec.lines[0]!.text.slice(1).trim().split(';');
      const row = sec.lines[1]!;
      const vals = row.text.split(';');
      names.forEach((name, i) => {
        const field = SADF_MAP[name];
        const v = vals[i]!.trim();
        if (!field) return;
        if (!/^-?\d+(\.\d+)?$/.test(v)) {
          diagnostics.push({ kind: 'parse', source: at(sec.file, row.no), message: `sar ${name}: not a number: ${JSON.stringify(v)}` });
          return;
        }
        put(field, Number(v), sec.kind, sec.file, row.no);
      });
    } else {
      const p = parseSnmp(sec.lines);
      const err = p.issues.find((i) => i.severity === 'error');
      if (err) return { skip: { source: at(sec.file, err.line), reason: `snmp: ${err.message}` } };
      const tcp = p.groups.Tcp;
      if (tcp && tcp.CurrEstab !== undefined) put('tcp_estab', tcp.CurrEstab, 'snmp', sec.file, p.lineOf.Tcp!);
      else diagnostics.push({ kind: 'parse', source: at(sec.file, sec.line), message: 'snmp: no Tcp CurrEstab column' });
    }
  }

  // Pick one value per field, report disagreements.
  const values: Values = {};
  for (let i = 0; i < cands.length; i++) {
    const list = cands[i];
    if (!list) continue;
    const field = ALL_FIELDS[i]!;
    if (list.length > 1) list.sort((a, b) => PRIORITY[a.format] - PRIORITY[b.format]);
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
          message: `${field}: ${FORMAT_LABEL[primary.format]} ${primary.value} (${ps}) but ${FORMAT_LABEL[other.format]} ${other.value} (${os}); kept ${primary.value}`,
        });
      }
    }
  }

  // closed = alloc - (inuse4 + inuse6 - tw); unhashed = closed - tw.
  const { tcp_alloc: alloc, tcp4_inuse: in4, tcp6_inuse: in6, tcp_tw: tw } = values;
  if (alloc !== undefined && in4 !== undefined && in6 !== undefined && tw !== undefined) {
    values.tcp_closed = alloc - (in4 + in6 - tw);
    if (ss && ss.summary.closed !== values.tcp_closed) {
      diagnostics.push({
        kind: 'disagree',
        field: 'tcp_closed',
        kept: values.tcp_closed,
        other: ss.summary.closed,
        source: at(ss.section.file, ss.summary.tcpLine),
        message: `tcp_closed: computed ${values.tcp_closed} = ${alloc} - (${in4} + ${in6} - ${tw}) but ss -s printed ${ss.summary.closed} (${at(ss.section.file, ss.summary.tcpLine)}); kept ${values.tcp_closed}`,
      });
    }
  } else if (ss) {
    values.tcp_closed = ss.summary.closed;
  }
  if (values.tcp_closed !== undefined && values.tcp_tw !== undefined) {
    values.tcp_unhashed = values.tcp_closed - values.tcp_tw;
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
  for (const sec of block.sections) mask |= 1 << FORMAT_ORDER.indexOf(sec.kind);
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

/** Checks inside one `ss -s` output: row totals and the INET row. */
function internalSsChecks(s: SsSummary, file: string, out: Diagnostic[]): void {
  const r = s.rows;
  for (const name of ['RAW', 'UDP', 'TCP', 'FRAG'] as const) {
    const row = r[name];
    if (row && row.ip !== undefined && row.ipv6 !== undefined && row.total !== row.ip + row.ipv6) {
      out.push({
        kind: 'derive',
        source: at(file, row.line),
        message: `ss -s ${name} row: total ${row.total} is not IP ${row.ip} + IPv6 ${row.ipv6}`,
      });
    }
  }
  if (r.INET && r.RAW && r.UDP && r.TCP) {
    const sum = r.RAW.total + r.UDP.total + r.TCP.total;
    if (sum !== r.INET.total) {
      out.push({
        kind: 'derive',
        source: at(file, r.INET.line),
        message: `ss -s INET row: total ${r.INET.total} is not RAW + UDP + TCP = ${sum}`,
      });
    }
  }
}
