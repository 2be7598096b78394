import { formatBit, formatOf } from '../parse/formats/index.js';
import { SS_INET_PARTS, SS_ROWS_SUMMED } from '../parse/ss.js';
import type { Line } from '../parse/types.js';
import { FIELD_INDEX } from '../normalize/fields.js';
import { tcpClosedOf, tcpUnhashedOf } from '../normalize/normalize.js';

/**
 * The block the capture loop `date; cat /proc/net/sockstat /proc/net/sockstat6; ss -s`
 * prints, line by line after the `date` line, as the byte-level path matches it: ` `
 * stands for spaces or tabs, `{name}` for a count. A count is named by the key its parser
 * reads it as: sockstat's `GROUP.key`, and for `ss -s` the fields of its summary (`total`,
 * `estab`, ..., the transport table's `ROW.total`, `ROW.ip`, `ROW.ipv6`).
 *
 * Nothing else here is written by hand: what each count gives the snapshot is found by
 * reading the template with the registry's own readers (below), and the checks a block
 * must pass are those of the readers and of normalize.
 */
export const TEMPLATE: readonly { kind: string; lines: readonly string[] }[] = [
  {
    kind: 'sockstat',
    lines: [
      'sockets: used {sockets.used}',
      'TCP: inuse {TCP.inuse} orphan {TCP.orphan} tw {TCP.tw} alloc {TCP.alloc} mem {TCP.mem}',
      'UDP: inuse {UDP.inuse} mem {UDP.mem}',
      'UDPLITE: inuse {UDPLITE.inuse}',
      'RAW: inuse {RAW.inuse}',
      'FRAG: inuse {FRAG.inuse} memory {FRAG.memory}',
    ],
  },
  {
    kind: 'sockstat6',
    lines: [
      'TCP6: inuse {TCP6.inuse}',
      'UDP6: inuse {UDP6.inuse}',
      'UDPLITE6: inuse {UDPLITE6.inuse}',
      'RAW6: inuse {RAW6.inuse}',
      'FRAG6: inuse {FRAG6.inuse} memory {FRAG6.memory}',
    ],
  },
  {
    kind: 'ss',
    lines: [
      'Total: {total}',
      'TCP: {tcpTotal} (estab {estab}, closed {closed}, orphaned {orphaned}, timewait {timewait})',
      'Transport Total IP IPv6',
      'RAW {RAW.total} {RAW.ip} {RAW.ipv6}',
      'UDP {UDP.total} {UDP.ip} {UDP.ipv6}',
      'TCP {TCP.total} {TCP.ip} {TCP.ipv6}',
      'INET {INET.total} {INET.ip} {INET.ipv6}',
      'FRAG {FRAG.total} {FRAG.ip} {FRAG.ipv6}',
    ],
  },
];

const PLACEHOLDER = /\{([^}]+)\}/g;

/** The template's lines in order, with the section each starts (its kind) or undefined. */
export const TEMPLATE_LINES: readonly { text: string; starts?: string }[] = TEMPLATE.flatMap((s) =>
  s.lines.map((text, i) => (i === 0 ? { text, starts: s.kind } : { text })),
);

/** The counts in template order, as `kind/name`. */
export const HOLE_NAMES: readonly string[] = TEMPLATE.flatMap((s) => s.lines.flatMap((l) => [...l.matchAll(PLACEHOLDER)].map((m) => `${s.kind}/${m[1]}`)));
const HOLE = new Map(HOLE_NAMES.map((n, i) => [n, i]));

/** A count's index by `kind/name`. */
function hole(name: string): number {
  const i = HOLE.get(name);
  if (i === undefined) throw new Error(`internal: the fast template has no count ${name}`);
  return i;
}

/** A linear combination of counts: [hole, coefficient] pairs. */
export type Combo = [number, number][];

interface Read {
  /** Field → each format's value for it, by format kind. */
  values: Map<string, Map<string, number>>;
  printed: Map<string, number>;
  /** Every count was read as some value (none went to other_keys, none was refused). */
  clean: boolean;
}

/** The template with these counts, read section by section by the registry's readers. */
function readWith(counts: readonly number[]): Read {
  const values = new Map<string, Map<string, number>>();
  const printed = new Map<string, number>();
  let clean = true;
  let k = 0;
  for (const s of TEMPLATE) {
    const lines: Line[] = s.lines.map((t, i) => ({ no: i + 1, text: t.replace(PLACEHOLDER, () => String(counts[k++]!)) }));
    const out = formatOf(s.kind)!.read!(lines);
    if (out.issues.length || (out.otherKeys && Object.keys(out.otherKeys).length)) clean = false;
    for (const c of out.values) {
      let m = values.get(c.field);
      if (!m) values.set(c.field, (m = new Map()));
      m.set(s.kind, c.value);
    }
    for (const [f, p] of Object.entries(out.printed ?? {})) printed.set(f, p.value);
  }
  return { values, printed, clean };
}

/**
 * What the counts give, found by reading the template with each count 1 and the others 0
 * (the readers' arithmetic is linear: `ss -s` alloc is TCP - timewait), then checked with
 * other counts.
 */
function derive(): { values: Map<string, Map<string, Combo>>; printed: Map<string, Combo> } {
  const n = HOLE_NAMES.length;
  const values = new Map<string, Map<string, Combo>>();
  const printed = new Map<string, Combo>();
  const zero = readWith(new Array<number>(n).fill(0));
  if (!zero.clean) throw new Error('internal: the fast template does not read cleanly');
  for (let j = 0; j < n; j++) {
    const counts = new Array<number>(n).fill(0);
    counts[j] = 1;
    const r = readWith(counts);
    for (const [field, by] of r.values) {
      for (const [kind, v] of by) {
        const c = v - (zero.values.get(field)?.get(kind) ?? 0);
        if (c === 0) continue;
        let m = values.get(field);
        if (!m) values.set(field, (m = new Map()));
        let combo = m.get(kind);
        if (!combo) m.set(kind, (combo = []));
        combo.push([j, c]);
      }
    }
    for (const [field, v] of r.printed) {
      const c = v - (zero.printed.get(field) ?? 0);
      if (c === 0) continue;
      let combo = printed.get(field);
      if (!combo) printed.set(field, (combo = []));
      combo.push([j, c]);
    }
    // (A count may give nothing, as the general path reads it: the table's row totals are
    // only checked, INET's IP and IPv6 columns not even that.)
  }
  // Fields every count left at 0 still exist (a reader gives them whatever the counts).
  for (const [field, by] of zero.values) {
    let m = values.get(field);
    if (!m) values.set(field, (m = new Map()));
    for (const kind of by.keys()) if (!m.has(kind)) m.set(kind, []);
  }
  // The combinations must give what the readers give for any counts.
  const probe = HOLE_NAMES.map((_, i) => 1000 + 37 * i * i);
  const r = readWith(probe);
  const at = (c: Combo): number => c.reduce((a, [h, k]) => a + k * probe[h]!, 0);
  for (const [field, by] of r.values) {
    for (const [kind, v] of by) {
      if (at(values.get(field)?.get(kind) ?? []) !== v) throw new Error(`internal: ${kind} ${field} is not linear in the fast template's counts`);
    }
  }
  return { values, printed };
}

const priority = (kind: string): number => formatOf(kind)!.priority;

const COL = (f: string): number => FIELD_INDEX.get(f)!;
const ALLOC = COL('tcp_alloc');
const IN4 = COL('tcp4_inuse');
const IN6 = COL('tcp6_inuse');
const TW = COL('tcp_tw');
const CLOSED = COL('tcp_closed');
const UNHASHED = COL('tcp_unhashed');

/** Registry bits of the formats a block has (the record's `formats`). */
export const FORMAT_BITS = TEMPLATE.reduce((m, s) => m | formatBit(s.kind), 0);

/** What the byte-level path knows of a block, derived from the readers (see derive). */
export interface FastTables {
  /**
   * The canonical columns of a block: for each field a format gives, its record column and
   * the value of the format normalize keeps (the lowest priority).
   */
  values: readonly { col: number; combo: Combo }[];
  /**
   * The checks a block must pass for the general path to report nothing, as pairs of
   * combinations that must be equal: every field two formats give has one value
   * (normalize's `disagree`); the `ss -s` transport table adds up (its reader's checks,
   * parse/ss.ts). Besides these, the closed `ss -s` printed must be the one normalize computes.
   */
  equals: readonly [Combo, Combo][];
  /** Columns past this one a block never fills. */
  width: number;
  /** The record's columns from the counts (the other columns stay as they are: NaN). */
  fill(h: Float64Array, cols: Float64Array): void;
  /** The counts and the columns `fill` made pass every check. */
  agree(h: Float64Array, cols: Float64Array): boolean;
}

let built: FastTables | undefined;

/**
 * The tables, derived on first use: reading the template some forty times costs a few ms,
 * spent only by a run that meets the capture loop's block.
 */
export function fastTables(): FastTables {
  return (built ??= build());
}

function build(): FastTables {
  const derived = derive();
  const values = [...derived.values].map(([field, by]) => {
    const col = FIELD_INDEX.get(field);
    if (col === undefined) throw new Error(`internal: the fast template gives ${field}, which is no field`);
    const kind = [...by.keys()].sort((a, b) => priority(a) - priority(b))[0]!;
    return { col, combo: by.get(kind)! };
  });
  const equals: [Combo, Combo][] = [
    ...[...derived.values.values()].flatMap((by) => {
      const combos = [...by.values()];
      return combos.slice(1).map((c): [Combo, Combo] => [combos[0]!, c]);
    }),
    ...SS_ROWS_SUMMED.map((row): [Combo, Combo] => [[[hole(`ss/${row}.total`), 1]], [[hole(`ss/${row}.ip`), 1], [hole(`ss/${row}.ipv6`), 1]]]),
    [[[hole('ss/INET.total'), 1]], SS_INET_PARTS.map((r): [number, number] => [hole(`ss/${r}.total`), 1])],
  ];
  const printedClosed = derived.printed.get('tcp_closed');
  if (!printedClosed || [...derived.printed.keys()].some((k) => k !== 'tcp_closed')) throw new Error('internal: the fast template prints other derived values than tcp_closed');
  // Compiled into plain functions: the same code a hand-written matcher would be.
  const fillJs = values.map((v) => `cols[${v.col}] = ${comboJs(v.combo)};`);
  const eqJs = equals.map(([x, y]) => `${comboJs(x)} === ${comboJs(y)}`);
  eqJs.push(`${comboJs(printedClosed)} === cols[${CLOSED}]`);
  const fillValues = new Function('h', 'cols', fillJs.join('\n')) as (h: Float64Array, cols: Float64Array) => void;
  return {
    values,
    equals,
    width: Math.max(CLOSED + 1, UNHASHED + 1, ...values.map((v) => v.col + 1)),
    fill(h, cols) {
      fillValues(h, cols);
      const closed = tcpClosedOf(cols[ALLOC]!, cols[IN4]!, cols[IN6]!, cols[TW]!);
      cols[CLOSED] = closed;
      cols[UNHASHED] = tcpUnhashedOf(closed, cols[TW]!);
    },
    agree: new Function('h', 'cols', `return ${eqJs.join(' &&\n  ')};`) as (h: Float64Array, cols: Float64Array) => boolean,
  };
}

/** A combination as JavaScript over the counts `h` (`(h[3] - h[7])`). */
function comboJs(c: Combo): string {
  if (c.length === 0) return '0';
  const terms = c.map(([h, k], t) => (k === 1 ? `${t ? '+ ' : ''}h[${h}]` : k === -1 ? `- h[${h}]` : `${t ? '+ ' : ''}${k} * h[${h}]`));
  return `(${terms.join(' ')})`;
}
