import { listingHeader } from '../parse/listing.js';

/** Line classes the segmenter acts on. Cheap tests first: this runs on every line. */
export enum LineClass {
  Blank,
  SockstatStart, // sockets: used N
  Sockstat, // TCP: inuse ..., UDP:, UDPLITE:, RAW:, FRAG:
  Sockstat6, // TCP6:, UDP6:, UDPLITE6:, RAW6:, FRAG6:
  SsTotal, // Total: N [(kernel K)]
  SsTcp, // TCP:   N (estab ...
  SsTable, // Transport Total IP IPv6, and the RAW/UDP/TCP/INET/FRAG/* rows
  Snmp, // Ip:, Icmp:, IcmpMsg:, Tcp:, Udp:, UdpLite:
  Separator, // ---, ===, ***
  Prompt, // root@host:~# cmd, # cmd, $ cmd
  Sysctl, // net.ipv4.tcp_mem = 1 2 3 (sysctl -a)
  SadfHeader, // # hostname;interval;timestamp;totsck;... (sadf -d)
  ListingHeader, // State Recv-Q Send-Q ... (ss -tan), Proto Recv-Q ... (netstat), COMMAND PID ... (lsof)
  Other,
}

const SOCKSTAT_GROUPS = new Set(['TCP', 'UDP', 'UDPLITE', 'RAW', 'FRAG']);
const SOCKSTAT6_GROUPS = new Set(['TCP6', 'UDP6', 'UDPLITE6', 'RAW6', 'FRAG6']);
const SNMP_GROUPS = new Set(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite']);
const SS_ROW = /^(?:\*|RAW|UDP|TCP|INET|FRAG)\s+(?:-?\d+)(?:\s+(?:-?\d+|-)){2}\s*$/;
const PROMPT = /^(?:\[?[\w.-]+@[\w.-]+(?:[: ][^#$\]]*)?\]?\s?[#$]|[#$])(?:\s|$)/;
const SEPARATOR = /^(?:-{3,}|={3,}|\*{3,}|#{3,}|~{3,})$/;

/** `GROUP: key N`: the first pair of a sockstat line (the value may have the next group glued to it). */
const FIRST_PAIR = /^[A-Z0-9]+:[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+-?\d/;
const SOCKETS_USED = /^sockets:[ \t]+used[ \t]+-?\d/;

/** Group name before the first colon, if the line starts with `NAME:`. */
function groupOf(t: string): string | undefined {
  const c = t.indexOf(':');
  if (c <= 0 || c > 10) return undefined;
  return t.slice(0, c);
}

/** `t` is trimmed and non-empty. */
export function classify(t: string): LineClass {
  const c0 = t.charCodeAt(0);
  if (c0 >= 65 && c0 <= 90) {
    // Upper-case start: sockstat, sockstat6, ss, snmp
    const g = groupOf(t);
    if (g !== undefined) {
      if (g === 'TCP') {
        // sockstat `TCP: inuse` vs ss `TCP:   1501 (estab`
        let i = 4;
        while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
        const d = t.charCodeAt(i);
        if ((d >= 48 && d <= 57) || d === 45) return LineClass.SsTcp;
        return FIRST_PAIR.test(t) ? LineClass.Sockstat : LineClass.Other;
      }
      // A group line starts with a `key N` pair (`TCP: inuse：...` in a page's prose is no output).
      if (SOCKSTAT_GROUPS.has(g)) return FIRST_PAIR.test(t) ? LineClass.Sockstat : LineClass.Other;
      if (SOCKSTAT6_GROUPS.has(g)) return FIRST_PAIR.test(t) ? LineClass.Sockstat6 : LineClass.Other;
      if (g === 'Total') return LineClass.SsTotal;
      // `Tcp:` alone is a group of `netstat -s` (parse/formats/netstat-s.ts), not an snmp line.
      if (SNMP_GROUPS.has(g)) return t.length === g.length + 1 ? LineClass.Other : LineClass.Snmp;
      return LineClass.Other;
    }
    if (t.startsWith('Transport') && /^Transport\s+Total\s+IP\s+IPv6\s*$/.test(t)) return LineClass.SsTable;
    if ((c0 === 83 || c0 === 78 || c0 === 80 || c0 === 67) && listingHeader(t)) return LineClass.ListingHeader; // S N P C
    if (SS_ROW.test(t)) return LineClass.SsTable;
    return LineClass.Other;
  }
  if (c0 === 115 && t.startsWith('sockets:') && SOCKETS_USED.test(t)) return LineClass.SockstatStart; // 's'
  if (c0 === 115 && t.startsWith('sl ') && listingHeader(t)) return LineClass.ListingHeader; // 's': /proc/net/tcp, tcp6
  if (c0 === 110 && (t.startsWith('net.ipv4.') || t.startsWith('net.netfilter.') || t.startsWith('net.core.'))) return LineClass.Sysctl; // 'n'
  if (c0 === 42 && SS_ROW.test(t)) return LineClass.SsTable; // '*' row of the old format
  if (c0 === 35 && t.startsWith('# hostname;interval;timestamp;')) return LineClass.SadfHeader; // '#'
  if (SEPARATOR.test(t)) return LineClass.Separator;
  if (PROMPT.test(t)) return LineClass.Prompt;
  return LineClass.Other;
}

/** The group name of a sockstat/sockstat6/snmp line (`TCP`, `UDP6`, `Tcp`). */
export function lineGroup(t: string): string {
  return groupOf(t) ?? '';
}

const GLUED = /(sockets: used -?\d|Total: -?\d|TCP6: inuse -?\d)/;

/**
 * A prompt or other line with capture output glued to it, as copied from a
 * terminal without a newline (`root@h:~# ... && ss -ssockets: used 400`).
 * Returns the offset where the capture output starts, or -1.
 */
export function gluedOutputAt(t: string): number {
  const m = GLUED.exec(t);
  return m && m.index > 0 ? m.index : -1;
}

const PROMPT_HOST = /^\[?[\w.-]+@([\w.-]+)/;

/** Host named by a shell prompt (`root@adil:~#` → `adil`). */
export function promptHost(t: string): string | undefined {
  return PROMPT_HOST.exec(t)?.[1];
}

/** A sockstat-shaped line of a group the kernel may add (`UNKNOWN: inuse 22 orphan 15`). */
const SOCKSTAT_SHAPE = /^[A-Z][A-Za-z0-9_]{0,15}:(?:[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+-?\d+)+[ \t]*$/;

export function sockstatShaped(t: string): boolean {
  return SOCKSTAT_SHAPE.test(t);
}

/** `cmd: message` as shells and tools print errors (`cat: /proc/net/sockstat6: No such file or directory`). */
const SHELL_MESSAGE = /^(?:-?[a-z][\w.-]*|[\w.-]*\/[\w./-]*):\s/;
const PROSE_WORD = /^[("'‘“]*[A-Za-z][A-Za-z'’-]*[.,:;!?)"'’”]*$/;
const STOP_WORDS = new Set([
  'the', 'a', 'an', 'is', 'are', 'was', 'were', 'and', 'but', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'this', 'that',
  'these', 'those', 'we', 'i', 'it', 'you', 'our', 'my', 'from', 'after', 'before', 'then', 'here', 'there', 'when', 'which',
  'be', 'been', 'has', 'have', 'had', 'as', 'by', 'so', 'if', 'what', 'why', 'how', 'can', 'see', 'below', 'above',
]);

/**
 * A line of prose (a sentence of a ticket or a page between pasted outputs):
 * five words or more, most of them words of letters, two or more of them
 * common short words (`the`, `is`, `after`), and not a tool's `cmd: message`.
 * Prose ends a capture; a shell message or a garbage line does not.
 */
export function isProse(t: string): boolean {
  if (SHELL_MESSAGE.test(t)) return false;
  const toks = t.split(/\s+/);
  if (toks.length < 5) return false;
  let words = 0;
  let stops = 0;
  for (const w of toks) {
    if (!PROSE_WORD.test(w)) continue;
    words++;
    if (STOP_WORDS.has(w.replace(/[^A-Za-z]/g, '').toLowerCase())) stops++;
  }
  return words >= 0.7 * toks.length && stops >= 2;
}

/**
 * The capture outputs a prompt's command line prints (`cat /proc/net/sockstat && ss -s`
 * → sockstat, ss), in the order of the segmenter's section kinds.
 */
export function promptCaptures(t: string): string[] {
  const m = /[#$]\s+(.*)$/.exec(t);
  if (!m) return [];
  const cmd = m[1]!;
  const out: string[] = [];
  if (/sockstat(?!6)\b/.test(cmd)) out.push('sockstat');
  if (/sockstat6\b/.test(cmd)) out.push('sockstat6');
  if (/(?:^|[\s;&|(])ss\s+(?:--summary|-s)(?=[\s;&|)]|$)/.test(cmd)) out.push('ss');
  if (/\/proc\/net\/snmp\b/.test(cmd)) out.push('snmp');
  return out;
}
