import { parseSnmp } from '../parse/snmp.js';
import { parseSockstat } from '../parse/sockstat.js';
import { parseSsSummary, type SsSummary } from '../parse/ss.js';
import type { Block, Section, SectionKind } from '../segment/types.js';
import type { Field } from './fields.js';
import type { Diagnostic, Skip, Snapshot, Values } from './types.js';

/** Where a value came from: the format and the `file:line`. */
interface Candidate {
  value: number;
  format: SectionKind;
  source: string;
}

const FORMAT_LABEL: Record<SectionKind, string> = {
  sockstat: 'sockstat',
  sockstat6: 'sockstat6',
  ss: 'ss -s',
  snmp: 'snmp',
  'sar-sock': 'sar -n SOCK',
  'sar-sock6': 'sar -n SOCK6',
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

/** Which format wins when several give a field: sockstat is primary (DESIGN §4). */
const PRIORITY: Record<SectionKind, number> = { sockstat: 0, sockstat6: 0, ss: 1, snmp: 2, 'sar-sock': 1, 'sar-sock6': 1 };

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
  const cands = new Map<Field, Candidate[]>();
  const otherKeys: Record<string, number> = {};
  const put = (field: Field, value: number, format: SectionKind, src: string): void => {
    let list = cands.get(field);
    if (!list) cands.set(field, (list = []));
    list.push({ value, format, source: src });
  };
  let ss: { summary: SsSummary; section: Section } | undefined;

  for (const sec of block.sections) {
    if (sec.kind === 'sockstat' || sec.kind === 'sockstat6') {
      const p = parseSockstat(sec.lines);
      const err = p.issues.find((i) => i.severity === 'error');
      if (err) return { skip: { source: at(sec.file, err.line), reason: `${sec.kind}: ${err.message}` } };
      for (const w of p.issues) diagnostics.push({ kind: 'parse', source: at(sec.file, w.line), message: w.message });
      for (const [group, kv] of Object.entries(p.groups)) {
        for (const [key, value] of Object.entries(kv)) {
          const field = SOCKSTAT_MAP[`${group}.${key}`];
          if (field) put(field, value, sec.kind, at(sec.file, p.lineOf[group]!));
          else otherKeys[`${group}.${key}`] = value;
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
      const tl = at(sec.file, s.tcpLine);
      put('sockets_used', s.total, 'ss', at(sec.file, s.totalLine));
      if (s.kernel !== undefined) put('ss_kernel', s.kernel, 'ss', at(sec.file, s.totalLine));
      // TCP: N is alloc + tw (old format: alloc + synrecv + tw).
      put('tcp_alloc', s.tcpTotal - s.timewait - (s.synrecv ?? 0), 'ss', tl);
      put('tcp_tw', s.timewait, 'ss', tl);
      put('tcp_orphan', s.orphaned, 'ss', tl);
      put('tcp_estab', s.estab, 'ss', tl);
      if (s.synrecv !== undefined) put('tcp_synrecv', s.synrecv, 'ss', tl);
      if (s.timewait2 !== undefined) put('tcp_tw2', s.timewait2, 'ss', tl);
      if (s.ports !== undefined) put('ss_ports', s.ports, 'ss', tl);
      const rows = s.rows;
      const pair = (row: typeof rows.TCP, f4: Field, f6: Field): void => {
        if (!row) return;
        if (row.ip !== undefined) put(f4, row.ip, 'ss', at(sec.file, row.line));
        if (row.ipv6 !== undefined) put(f6, row.ipv6, 'ss', at(sec.file, row.line));
      };
      pair(rows.TCP, 'tcp4_inuse', 'tcp6_inuse');
      pair(rows.UDP, 'udp4_inuse', 'udp6_inuse');
      pair(rows.RAW, 'raw4_inuse', 'raw6_inuse');
      pair(rows.FRAG, 'frag4_inuse', 'frag6_inuse');
      if (rows['*']) put('ss_slab_total', rows['*'].total, 'ss', at(sec.file, rows['*'].line));
      internalSsChecks(s, sec.file, diagnostics);
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
        put(field, Number(v), sec.kind, at(sec.file, row.no));
      });
    } else {
      const p = parseSnmp(sec.lines);
      const err = p.issues.find((i) => i.severity === 'error');
      if (err) return { skip: { source: at(sec.file, err.line), reason: `snmp: ${err.message}` } };
      const tcp = p.groups.Tcp;
      if (tcp && tcp.CurrEstab !== undefined) put('tcp_estab', tcp.CurrEstab, 'snmp', at(sec.file, p.lineOf.Tcp!));
      else diagnostics.push({ kind: 'parse', source: at(sec.file, sec.line), message: 'snmp: no Tcp CurrEstab column' });
    }
  }

  // Pick one value per field, report disagreements.
  const values: Values = {};
  for (const [field, list] of cands) {
    list.sort((a, b) => PRIORITY[a.format] - PRIORITY[b.format]);
    const primary = list[0]!;
    values[field] = primary.value;
    for (const other of list.slice(1)) {
      if (other.value !== primary.value) {
        diagnostics.push({
          kind: 'disagree',
          field,
          kept: primary.value,
          other: other.value,
          source: other.source,
          message: `${field}: ${FORMAT_LABEL[primary.format]} ${primary.value} (${primary.source}) but ${FORMAT_LABEL[other.format]} ${other.value} (${other.source}); kept ${primary.value}`,
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

  if (block.timeError) diagnostics.push({ kind: 'time', source, message: block.timeError });
  else if (block.time?.note) diagnostics.push({ kind: 'time', source, message: block.time.note });
  if (block.timeNote) diagnostics.push({ kind: 'time', source, message: block.timeNote });

  const formats: string[] = [];
  for (const k of ['sockstat', 'sockstat6', 'ss', 'snmp', 'sar-sock', 'sar-sock6'] as const) {
    if (block.sections.some((s) => s.kind === k)) formats.push(k);
  }
  const sources: string[] = [];
  for (const s of block.sections) {
    const src = at(s.file, s.line);
    if (!sources.includes(src)) sources.push(src);
  }
  const snapshot: Snapshot = { source, sources, formats, values, otherKeys, diagnostics };
  if (block.host !== undefined) snapshot.host = block.host;
  if (block.namespace !== undefined) snapshot.namespace = block.namespace;
  if (block.time) {
    snapshot.time = block.time.iso;
    snapshot.timeMs = block.time.ms;
  }
  return { snapshot };
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
