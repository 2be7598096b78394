import { problem, type Problem } from '../parse/problem.js';
import type { Field } from '../normalize/fields.js';
import type { Diagnostic } from '../normalize/types.js';
import type { ListingSummary } from '../parse/listing.js';
import type { HostSeries } from '../series/series.js';
import { children, evaluate, ExprError, identName, truth, type EvalEnv, type Expr, type Value } from './expr.js';
import { counterStep, parseWindow, scalarCall, seriesOf, seriesPoints, type SeriesPoints } from './functions.js';
import type { CompiledRule } from './load.js';
import { DERIVED, isValueName, type DerivedName } from './names.js';
import { SEVERITY_RANK, type Severity } from './schema.js';
import { renderTemplate } from './template.js';
import { compileBool, compileNum, NUMERIC_DERIVED, type CompileEnv } from './compile.js';
import { procLabel, top } from '../parse/listing.js';
import { bucketEvents, type LogBook, type PatternEvents } from './logs.js';
import { isoFromMs } from '../parse/time.js';

export interface LimitEntry {
  value: number;
  source: string;
}

/** Limits per series key (`host:NAME` or `dir:PATH`), plus ones that hold for every host (`--limit`). */
export interface LimitBook {
  byKey: Map<string, Map<string, LimitEntry>>;
  global: Map<string, LimitEntry>;
}

export function emptyLimitBook(): LimitBook {
  return { byKey: new Map(), global: new Map() };
}

export interface Evidence {
  /** Which row this is: `first`, `peak`, `last`, or several of them (`first, peak`). */
  label: string;
  time: string | null;
  source: string;
  values: Record<string, number | string | null>;
}

export interface Finding {
  rule: string;
  severity: Severity;
  host: string | null;
  /** The host, or how the snapshots were grouped when no host name was given. */
  series: string;
  first_seen: string | null;
  last_seen: string | null;
  /** Snapshots in the finding. */
  count: number;
  title: string;
  message: string;
  evidence: Evidence[];
  /**
   * When the run reached its severity after its first snapshot (a `levels` entry, e.g. the
   * critical level, crossed later than `when`): that snapshot's time (null when it has none)
   * and source. first_seen stays where `when` first held. Absent otherwise.
   */
  escalated?: { severity: Severity; time: string | null; source: string };
  /** The rule's `peak` expression at the peak snapshot (null when it has no number there). */
  peak_value?: number | null;
  /** Limits the rule compared with, and where each came from. */
  limits: { name: string; value: number; source: string }[];
  /**
   * The kernel log lines the rule's `log:` patterns matched in the finding's snapshots, in
   * time order, at most LOG_LINES_MAX (log_lines_total says how many in all). Empty when a
   * kernel log of the host was read and held none; absent for rules without patterns or
   * hosts without a kernel log.
   */
  log_lines?: LogLine[];
  log_lines_total?: number;
  notes: string[];
  explain: string;
  remediation: string;
  references: { title: string; url: string }[];
  runbook?: string;
}

/** One matched kernel log line of a finding. */
export interface LogLine {
  /** RFC 3339 UTC; null when the line could not be placed in time. */
  time: string | null;
  /** `file:line`. */
  source: string;
  /** The line's message (after its time and host, cut to 300 characters); null past the lines whose text is kept. */
  text: string | null;
  /** The rule's pattern that matched (its `log:` name). */
  pattern: string;
}

/** Matched lines listed per finding in the JSON report (the rest are counted). */
export const LOG_LINES_MAX = 100;

export interface NotEvaluated {
  rule: string;
  host: string | null;
  series: string;
  /** Fields the rule needs that the inputs do not give. */
  missing: string[];
}

export interface EngineResult {
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  /** Rules that failed at run time, by rule file (their findings are left out). */
  problems: Problem[];
  /** Runs past MAX_FINDINGS_PER_SERIES of one rule on one series, counted, not listed. */
  notices: string[];
}

/**
 * Findings one rule makes on one series at most: a rule that holds on every other
 * snapshot of a long capture would otherwise make a finding (with its evidence) per
 * two snapshots. The runs past it are counted in a notice.
 */
export const MAX_FINDINGS_PER_SERIES = 100;

/** Everything one evaluation reads, per snapshot index. */
class Context {
  private derivedCols = new Map<string, Float64Array>();
  readonly medianInterval: number | undefined;

  constructor(
    readonly s: HostSeries,
    readonly limits: Map<string, LimitEntry>,
    readonly logs?: LogBook,
  ) {
    this.medianInterval = s.medianIntervalS();
  }

  private logCache = new Map<number, { ev: PatternEvents; bucket: Int32Array } | null>();

  /** The kernel log lines of a rule's pattern for this series, each with the snapshot it belongs to; null when no kernel log of the host was read. */
  logEvents(rule: string, name: string): { ev: PatternEvents | undefined; bucket: Int32Array } | null {
    const logs = this.logs;
    const idx = logs?.patternIndex(rule, name);
    if (!logs || idx === undefined || !logs.covered.has(this.s.hostKey)) return null;
    let c = this.logCache.get(idx);
    if (c === undefined) {
      const ev = logs.get(this.s.hostKey, idx);
      c = ev ? { ev, bucket: bucketEvents(this.s.times, ev.ms) } : null;
      this.logCache.set(idx, c);
    }
    return c ?? { ev: undefined, bucket: new Int32Array(0) };
  }

  value(name: string, i: number): Value {
    if (name in DERIVED) return this.derived(name as DerivedName, i);
    const v = this.s.column(name)[i]!;
    return v === v ? v : undefined;
  }

  derived(name: DerivedName, i: number): Value {
    const s = this.s;
    const sum = (a: Field, b: Field) => {
      const x = s.value(i, a);
      const y = s.value(i, b);
      return x === undefined || y === undefined ? undefined : x + y;
    };
    switch (name) {
      case 'tcp_inuse':
        return sum('tcp4_inuse', 'tcp6_inuse');
      case 'udp_inuse':
        return sum('udp4_inuse', 'udp6_inuse');
      case 'frag_memory':
        return sum('frag4_memory', 'frag6_memory');
      case 'interval_s': {
        const t = this.s.times;
        if (i === 0 || Number.isNaN(t[i]!) || Number.isNaN(t[i - 1]!)) return undefined;
        return (t[i]! - t[i - 1]!) / 1000;
      }
      case 'median_interval_s':
        return this.medianInterval;
      case 'prev_sockets_used':
        return i > 0 ? s.value(i - 1, 'sockets_used') : undefined;
      case 'mismatch_abs':
      case 'mismatch_rel':
      case 'mismatch_fields':
        return mismatch(s.diagnostics(i), name);
      case 'unhashed_owners':
      case 'close_wait_owners':
      case 'timewait_peers':
      case 'orphan_peers':
        return attribution(s.listing(i), s.value(i, 'tcp_unhashed'), name);
      case 'full_listeners':
      case 'udp_drop_sockets':
      case 'syn_recv_listeners':
        return socketsNamed(s.listing(i), name);
      case 'run_start':
      case 'run_end':
        return undefined; // known only while a finding's message is written (snapshotEnv with its run)
    }
  }

  private pointsCache = new Map<string, SeriesPoints | undefined>();
  private seriesCache = new Map<string, number | undefined>();

  /** A series function of a field, computed once per series (rules and their messages ask the same ones). */
  series(fn: string, field: string, windowMs: number | undefined, arg: number | undefined): number | undefined {
    const key = `${fn}\u0000${field}\u0000${windowMs}\u0000${arg}`;
    if (this.seriesCache.has(key)) return this.seriesCache.get(key);
    const pk = `${field}\u0000${windowMs}`;
    let pts = this.pointsCache.get(pk);
    if (!this.pointsCache.has(pk)) this.pointsCache.set(pk, (pts = seriesPoints(this.s.times, this.column(field), windowMs, this.s.fileIndex)));
    const v = pts && seriesOf(fn, pts, arg);
    this.seriesCache.set(key, v);
    return v;
  }

  /** Has the field no value anywhere in the series? */
  allAbsent(field: string): boolean {
    let v = this.absentCache.get(field);
    if (v === undefined) this.absentCache.set(field, (v = this.column(field).every((x) => Number.isNaN(x))));
    return v;
  }
  private absentCache = new Map<string, boolean>();

  /**
   * How to read an identifier at snapshot i, decided once per name: a column read for
   * a field (NaN = absent), the derived-value switch for the rest.
   */
  reader(name: string): (i: number) => Value {
    let r = this.readers.get(name);
    if (!r) {
      if (name in DERIVED) {
        const d = name as DerivedName;
        r = (i) => this.derived(d, i);
      } else {
        const col = this.s.column(name);
        r = (i) => {
          const v = col[i]!;
          return v === v ? v : undefined;
        };
      }
      this.readers.set(name, r);
    }
    return r;
  }
  private readers = new Map<string, (i: number) => Value>();

  column(name: string): Float64Array {
    if (!(name in DERIVED)) return this.s.column(name);
    let c = this.derivedCols.get(name);
    if (!c) {
      c = new Float64Array(this.s.length);
      const sum = (a: Field, b: Field): void => {
        const x = this.s.col(a);
        const y = this.s.col(b);
        for (let i = 0; i < c!.length; i++) c![i] = x[i]! + y[i]!; // NaN (absent) in either: absent
      };
      // The sums column by column; the rest through derived(), one snapshot at a time.
      const t = this.s.times;
      if (name === 'tcp_inuse') sum('tcp4_inuse', 'tcp6_inuse');
      else if (name === 'udp_inuse') sum('udp4_inuse', 'udp6_inuse');
      else if (name === 'frag_memory') sum('frag4_memory', 'frag6_memory');
      else if (name === 'interval_s') {
        c[0] = NaN;
        for (let i = 1; i < c.length; i++) c[i] = (t[i]! - t[i - 1]!) / 1000; // NaN when either time is unknown
      } else if (name === 'median_interval_s') c.fill(this.medianInterval ?? NaN);
      else if (name === 'prev_sockets_used') {
        const u = this.s.col('sockets_used');
        c[0] = NaN;
        for (let i = 1; i < c.length; i++) c[i] = u[i - 1]!;
      } else if ((name === 'mismatch_abs' || name === 'mismatch_rel') && this.s.diagnosticCount === 0) {
        c.fill(0); // no diagnostics anywhere: no disagreement in any snapshot
      } else {
        for (let i = 0; i < c.length; i++) {
          const v = this.derived(name as DerivedName, i);
          c[i] = typeof v === 'number' ? v : NaN;
        }
      }
      this.derivedCols.set(name, c);
    }
    return c;
  }
}

const OPTIONAL = new WeakMap<CompiledRule, Set<string>>();

/**
 * Names a rule's `when` reads only inside `coalesce(...)`: optional evidence (a counter, a log
 * pattern beside the test that decides), never the reason the rule was not evaluated.
 */
function optionalNames(rule: CompiledRule): Set<string> {
  let o = OPTIONAL.get(rule);
  if (!o) {
    const inside = new Set<string>();
    const outside = new Set<string>();
    const walk = (e: Expr, opt: boolean): void => {
      if (e.kind === 'ident') (opt ? inside : outside).add(e.name);
      const sub = opt || (e.kind === 'call' && e.name === 'coalesce');
      for (const c of children(e)) walk(c, sub);
    };
    walk(rule.when, false);
    o = new Set([...inside].filter((n) => !outside.has(n)));
    OPTIONAL.set(rule, o);
  }
  return o;
}

/** log_count, log_lines, log_values, log_sum over the selected lines of one pattern. */
function logFunction(name: string, ev: PatternEvents | undefined, sel: number[], group: string | undefined, files: readonly string[]): Value {
  if (name === 'log_count') return sel.length;
  if (!ev || !sel.length) return name === 'log_sum' ? 0 : undefined;
  const kept = sel.map((k) => ev.kept[k]).filter((e) => e !== undefined);
  if (name === 'log_sum' || name === 'log_values') {
    if (group === undefined) return undefined;
    const vals = kept.map((e) => e.groups?.[group]).filter((v): v is string => v !== undefined);
    if (name === 'log_sum') return vals.reduce((a, v) => a + (Number.isFinite(Number(v)) ? Number(v) : 0), 0);
    const counts = new Map<string, number>();
    for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
    return top.length ? top.map(([v]) => v).join(', ') : undefined;
  }
  // log_lines: how many, when, and the first and last line with its place.
  const where = (k: number) => `${files[ev.file[k]!]}:${ev.line[k]}`;
  const when = (k: number) => (Number.isNaN(ev.ms[k]!) ? 'time unknown' : isoFromMs(ev.ms[k]!));
  const line = (k: number) => {
    const e = ev.kept[k];
    return `${e ? `"${e.text}" ` : ''}(${when(k)}, ${where(k)})`;
  };
  const first = sel[0]!;
  const last = sel[sel.length - 1]!;
  // The rules' messages say who logged them ("the kernel logged {log_lines(...)}"): "1 line", not "1 kernel log line".
  let out = sel.length === 1 ? `1 line: ${line(first)}` : `${sel.length} lines, first ${line(first)}, last ${line(last)}`;
  if (ev.notes.size) out += ` [${[...ev.notes].join('; ')}]`;
  return out;
}

/** The listeners whose accept queue is full, or the UDP sockets that drop, from a listing of the moment. */
function socketsNamed(l: ListingSummary | undefined, name: 'full_listeners' | 'udp_drop_sockets' | 'syn_recv_listeners'): Value {
  if (!l) return undefined;
  const who = (o: readonly { name: string; pid: number }[]) => (o.length ? ` of ${o.map(procLabel).join(', ')}` : '');
  if (name === 'syn_recv_listeners') {
    const s = l.synRecv ?? [];
    return s.length ? s.map((q) => `${q.local}${who(q.owners)}: ${q.count} connection${q.count === 1 ? '' : 's'} in SYN-RECV`).join('; ') : undefined;
  }
  if (name === 'full_listeners') {
    const full = (l.listenQueues ?? []).filter((q) => q.recvQ >= q.backlog);
    return full.length ? full.map((q) => `${q.local}${who(q.owners)}: ${q.recvQ} connections waiting for accept(), backlog ${q.backlog}`).join('; ') : undefined;
  }
  const top = (l.udp?.top ?? []).filter((u) => (u.drops ?? 0) > 0 || u.recvQ > 0);
  return top.length
    ? top.map((u) => `${u.local}${who(u.owners)}: ${u.drops !== undefined ? `${u.drops} datagrams dropped (skmem d), ` : ''}${u.recvQ} bytes waiting`).join('; ')
    : undefined;
}

/** Who holds the sockets, from the listings of the snapshot's moment; absent without one. */
function attribution(l: ListingSummary | undefined, total: number | undefined, name: 'unhashed_owners' | 'close_wait_owners' | 'timewait_peers' | 'orphan_peers'): Value {
  if (!l) return undefined;
  if (name === 'unhashed_owners') {
    if (l.lsofUnhashed === undefined) return undefined;
    const owners = l.processes.filter((p) => p.unhashed > 0).sort((a, b) => b.unhashed - a.unhashed).slice(0, 3);
    if (!owners.length) return `lsof shows no unhashed TCP socket (\`sock ... protocol: TCP\`) in the processes it listed`;
    return owners.map((p) => `${procLabel(p)} holds ${p.unhashed}${total !== undefined ? ` of the ${total}` : ''} unhashed TCP sockets`).join('; ');
  }
  if (name === 'close_wait_owners') {
    const owners = l.processes.filter((p) => (p.states['CLOSE-WAIT'] ?? 0) > 0).sort((a, b) => (b.states['CLOSE-WAIT'] ?? 0) - (a.states['CLOSE-WAIT'] ?? 0)).slice(0, 3);
    if (!owners.length) return undefined;
    return owners
      .map((p) => `${procLabel(p)} holds ${p.states['CLOSE-WAIT']} on ${top(p.closeWaitLocal).map(([a, n]) => (owners.length > 1 || top(p.closeWaitLocal).length > 1 ? `${a} (${n})` : a)).join(', ')}`)
      .join('; ');
  }
  const peers = name === 'timewait_peers' ? l.timeWaitPeers : l.finWait1Peers;
  const t = top(peers);
  return t.length ? t.map(([a, n]) => `${a} (${n})`).join(', ') : undefined;
}

function mismatch(diagnostics: readonly Diagnostic[], name: 'mismatch_abs' | 'mismatch_rel' | 'mismatch_fields'): Value {
  let abs = 0;
  let rel = 0;
  const fields: string[] = [];
  for (const d of diagnostics) {
    if (d.kind !== 'disagree' || d.kept === undefined || d.other === undefined) continue;
    const a = Math.abs(d.kept - d.other);
    abs = Math.max(abs, a);
    rel = Math.max(rel, a / Math.max(Math.abs(d.kept), Math.abs(d.other), 1));
    fields.push(`${d.field} (${d.kept} vs ${d.other})`);
  }
  if (name === 'mismatch_abs') return abs;
  if (name === 'mismatch_rel') return rel;
  return fields.join(', ');
}

function paramOrLimit(rule: CompiledRule, ctx: Context, book: LimitBook, name: string): { hit: boolean; v?: Value } {
  if (name.startsWith('params.')) return { hit: true, v: rule.params[name.slice(7)]?.value };
  if (name.startsWith('limits.')) {
    const n = name.slice(7);
    return { hit: true, v: (ctx.limits.get(n) ?? book.global.get(n))?.value };
  }
  return { hit: false };
}

/** An environment for one rule at one snapshot; `at` moves it (one object per rule and series, not per snapshot). */
interface SnapshotEnv extends EvalEnv {
  at: number;
}

function snapshotEnv(rule: CompiledRule, ctx: Context, book: LimitBook, i: number, missing: Set<string>, run?: readonly number[]): SnapshotEnv {
  // Each name is resolved once: params and limits are constants, fields read their column.
  const resolved = new Map<string, (i: number) => Value>();
  const resolve = (name: string): ((i: number) => Value) => {
    let r = resolved.get(name);
    if (!r) {
      const pl = paramOrLimit(rule, ctx, book, name);
      if (pl.hit) {
        const v = pl.v;
        r = () => v;
      } else {
        const read = ctx.reader(name);
        r = (i) => {
          const v = read(i);
          if (v === undefined) missing.add(name);
          return v;
        };
      }
      resolved.set(name, r);
    }
    return r;
  };
  const env: SnapshotEnv = {
    at: i,
    ident(name) {
      if (run && (name === 'run_start' || name === 'run_end')) {
        const k = name === 'run_start' ? run[0]! - 1 : run[run.length - 1]!;
        return k >= 0 ? ctx.s.time(k) : undefined;
      }
      return resolve(name)(env.at);
    },
    call(name, args, evalArg) {
      if (name === 'prev') {
        const f = identName(args[0]!);
        return f !== undefined && env.at > 0 ? ctx.value(f, env.at - 1) : undefined;
      }
      if (name === 'counter_delta' || name === 'counter_rate') {
        const f = identName(args[0]!);
        if (f === undefined) return undefined;
        const step = counterStep(ctx.s.times, ctx.column(f), env.at, ctx.s.fileIndex);
        if (!step) {
          if (Number.isNaN(ctx.column(f)[env.at]!)) missing.add(f);
          return undefined;
        }
        if (name === 'counter_delta') return step.delta;
        return step.seconds > 0 ? step.delta / step.seconds : undefined;
      }
      if (name === 'log_count' || name === 'log_lines' || name === 'log_values' || name === 'log_sum') {
        const a0 = args[0];
        const pat = a0 && a0.kind === 'str' ? a0.value : undefined;
        const le = pat === undefined ? null : ctx.logEvents(rule.id, pat);
        if (!le) {
          if (pat !== undefined) missing.add(NO_KERNEL_LOG);
          return undefined;
        }
        const lo = run ? run[0]! : env.at;
        const hi = run ? run[run.length - 1]! : env.at;
        const sel: number[] = [];
        for (let k = 0; k < le.bucket.length; k++) if (le.bucket[k]! >= lo && le.bucket[k]! <= hi) sel.push(k);
        const group = args[1] && args[1].kind === 'str' ? args[1].value : undefined;
        return logFunction(name, le.ev, sel, group, ctx.logs!.files);
      }
      if (name === 'run_sum') {
        // Over the finding's snapshots while its message is written; the snapshot itself otherwise.
        const at = env.at;
        let sum: number | undefined;
        for (const k of run ?? [at]) {
          env.at = k;
          const v = evalArg(args[0]!);
          if (typeof v === 'number') sum = (sum ?? 0) + v;
        }
        env.at = at;
        return sum;
      }
      return scalarCall(name, args.map(evalArg));
    },
  };
  return env;
}

function seriesEnv(rule: CompiledRule, ctx: Context, book: LimitBook, missing: Set<string>): EvalEnv {
  const last = ctx.s.length - 1;
  return {
    ident(name) {
      const pl = paramOrLimit(rule, ctx, book, name);
      if (pl.hit) return pl.v;
      const v = ctx.value(name, last);
      if (v === undefined) missing.add(name);
      return v;
    },
    call(name, args, evalArg) {
      const field = identName(args[0]!);
      if (field === undefined || !isValueName(field)) return scalarCall(name, args.map(evalArg));
      let windowMs: number | undefined;
      let p: number | undefined;
      for (const a of args.slice(1)) {
        const v = evalArg(a);
        if (typeof v === 'string') windowMs = parseWindow(v);
        else if (typeof v === 'number') p = v;
      }
      const r = ctx.series(name, field, windowMs, p);
      if (ctx.allAbsent(field)) missing.add(field);
      return r;
    },
  };
}

/** What compiled rule code reads: the rule's params and limits, the series' columns. */
function compileEnv(rule: CompiledRule, ctx: Context, book: LimitBook, missing: Set<string>): CompileEnv {
  return {
    constant(name) {
      const pl = paramOrLimit(rule, ctx, book, name);
      if (!pl.hit) return undefined;
      return pl.v === undefined || typeof pl.v === 'number' ? { value: pl.v } : null;
    },
    column(name) {
      if (name in DERIVED) return NUMERIC_DERIVED.has(name) ? ctx.column(name) : undefined;
      return isValueName(name) ? ctx.s.column(name) : undefined;
    },
    missing(name) {
      missing.add(name);
    },
    // The same values and missing names as snapshotEnv's call() outside a run (a message's run_sum stays evaluated).
    call(name, args) {
      if (name === 'counter_delta' || name === 'counter_rate') {
        const f = args.length === 1 ? identName(args[0]!) : undefined;
        if (f === undefined) return undefined;
        const col = ctx.column(f);
        const times = ctx.s.times;
        const files = ctx.s.fileIndex;
        const rate = name === 'counter_rate';
        return (i) => {
          const step = counterStep(times, col, i, files);
          if (!step) {
            if (Number.isNaN(col[i]!)) missing.add(f);
            return NaN;
          }
          if (!rate) return step.delta;
          return step.seconds > 0 ? step.delta / step.seconds : NaN;
        };
      }
      if (name === 'log_count' && args.length === 1 && args[0]!.kind === 'str') {
        const le = ctx.logEvents(rule.id, args[0]!.value);
        if (!le) {
          missing.add(NO_KERNEL_LOG);
          return () => NaN;
        }
        const counts = new Float64Array(ctx.s.length);
        for (let k = 0; k < le.bucket.length; k++) counts[le.bucket[k]!]!++;
        return (i) => counts[i]!;
      }
      return undefined;
    },
  };
}

/** What a rule that reads kernel log lines misses when the inputs hold no kernel log for the host (said where field names are). */
export const NO_KERNEL_LOG = 'a kernel log (dmesg, messages, journal)';

function num(v: Value): number {
  return typeof v === 'number' ? v : -Infinity;
}

function evidenceRow(rule: CompiledRule, ctx: Context, book: LimitBook, i: number, names: string[], label: string): Evidence {
  const env = snapshotEnv(rule, ctx, book, i, new Set());
  const values: Record<string, number | string | null> = {};
  for (const n of names) {
    const v = env.ident(n);
    values[n] = v === undefined || typeof v === 'boolean' ? (v === undefined ? null : String(v)) : v;
  }
  return { label, time: ctx.s.time(i) ?? null, source: ctx.s.source(i), values };
}

function evidenceNames(rule: CompiledRule): string[] {
  if (rule.values.length) return rule.values;
  const names: string[] = [];
  const walk = (src: string) => {
    for (const m of src.matchAll(/[A-Za-z_][A-Za-z0-9_.]*/g)) {
      if (isValueName(m[0]) && !names.includes(m[0])) names.push(m[0]);
    }
  };
  walk(rule.def.when);
  return names;
}

function renderMessage(rule: CompiledRule, env: EvalEnv): string {
  let msg = rule.def.title;
  for (const m of rule.messages) {
    if (m.when && truth(m.when, env) !== true) continue;
    msg = renderTemplate(m.parts, (e) => evaluate(e, env)).trim();
    break;
  }
  if (rule.attribution) {
    const vals = rule.attribution.map((p) => ('expr' in p ? evaluate(p.expr, env) : p.text));
    if (vals.every((v) => v !== undefined)) msg += ` ${renderTemplate(rule.attribution, (e) => evaluate(e, env)).trim()}`;
  }
  return msg;
}

function severityAt(rule: CompiledRule, env: EvalEnv): Severity {
  for (const l of rule.levels) if (truth(l.when, env) === true) return l.severity;
  return rule.def.severity;
}

function makeFinding(
  rule: CompiledRule, ctx: Context, book: LimitBook, idx: number[], severity: Severity,
  message: (peakIdx: number) => string, reachedAt = idx[0]!,
): Finding {
  const names = evidenceNames(rule);
  // Peak: the snapshot where the peak expression is largest (first one on ties).
  let peak = idx[0]!;
  let best = -Infinity;
  const compiled = compileNum(rule.peak, compileEnv(rule, ctx, book, new Set()));
  const env = snapshotEnv(rule, ctx, book, 0, new Set());
  for (const i of idx) {
    let v: number;
    if (compiled) {
      const x = compiled(i);
      v = x === x ? x : -Infinity;
    } else {
      env.at = i;
      v = num(evaluate(rule.peak, env));
    }
    if (v > best) {
      best = v;
      peak = i;
    }
  }
  const escalated = reachedAt !== idx[0];
  const rows = [...new Set([idx[0]!, ...(escalated ? [reachedAt] : []), peak, idx[idx.length - 1]!])].sort((a, b) => a - b);
  // Times of the run: its first and last snapshots that have one (untimed ones sort last).
  const timed = idx.filter((i) => ctx.s.timeMs(i) !== undefined);
  const firstTime = timed.length ? ctx.s.time(timed[0]!)! : null;
  const lastTime = timed.length ? ctx.s.time(timed[timed.length - 1]!)! : null;
  const limits = rule.limits
    .map((n) => n.slice(7))
    .flatMap((n) => {
      const e = ctx.limits.get(n) ?? book.global.get(n);
      return e ? [{ name: n, value: e.value, source: e.source }] : [];
    });
  const f: Finding = {
    rule: rule.id,
    severity,
    host: ctx.s.host ?? null,
    series: ctx.s.label,
    first_seen: firstTime,
    last_seen: lastTime,
    count: idx.length,
    title: rule.def.title,
    message: message(peak),
    evidence: rows.map((i) =>
      evidenceRow(rule, ctx, book, i, names, [i === idx[0] ? 'first' : '', escalated && i === reachedAt ? `${severity} since` : '', i === peak ? 'peak' : '', i === idx[idx.length - 1] ? 'last' : ''].filter(Boolean).join(', ')),
    ),
    limits,
    notes: [],
    explain: rule.def.explain.trim(),
    remediation: rule.def.remediation.trim(),
    references: rule.def.references.map((r) => (typeof r === 'string' ? { title: r, url: r } : r)),
  };
  if (escalated) f.escalated = { severity, time: ctx.s.time(reachedAt) ?? null, source: ctx.s.source(reachedAt) };
  const logs = findingLogLines(rule, ctx, idx[0]!, idx[idx.length - 1]!);
  if (logs) {
    f.log_lines = logs.lines;
    f.log_lines_total = logs.total;
  }
  f.peak_value = Number.isFinite(best) ? best : null;
  if (rule.def.runbook) f.runbook = rule.def.runbook;
  return f;
}

/** The lines of the rule's patterns that belong to snapshots lo..hi; undefined when the host has no kernel log or the rule no pattern. */
function findingLogLines(rule: CompiledRule, ctx: Context, lo: number, hi: number): { lines: LogLine[]; total: number } | undefined {
  const files = ctx.logs?.files ?? [];
  const all: { ms: number; file: number; line: number; text: string | null; pattern: string }[] = [];
  let covered = false;
  for (const p of rule.log) {
    const le = ctx.logEvents(rule.id, p.name);
    if (!le) continue;
    covered = true;
    const ev = le.ev;
    if (!ev) continue;
    for (let k = 0; k < le.bucket.length; k++) {
      if (le.bucket[k]! < lo || le.bucket[k]! > hi) continue;
      all.push({ ms: ev.ms[k]!, file: ev.file[k]!, line: ev.line[k]!, text: ev.kept[k]?.text ?? null, pattern: p.name });
    }
  }
  if (!covered) return undefined;
  const key = (x: { ms: number }) => (Number.isNaN(x.ms) ? Infinity : x.ms);
  all.sort((a, b) => key(a) - key(b) || (files[a.file]! < files[b.file]! ? -1 : files[a.file]! > files[b.file]! ? 1 : 0) || a.line - b.line);
  return {
    total: all.length,
    lines: all.slice(0, LOG_LINES_MAX).map((x) => ({
      time: Number.isNaN(x.ms) ? null : isoFromMs(x.ms),
      source: `${files[x.file]}:${x.line}`,
      text: x.text,
      pattern: x.pattern,
    })),
  };
}

/** Run every rule on every host's series. */
export function runRules(rules: readonly CompiledRule[], series: readonly HostSeries[], book: LimitBook, logs?: LogBook): EngineResult {
  const findings: Finding[] = [];
  const notEvaluated: NotEvaluated[] = [];
  const problems: Problem[] = [];
  const notices: string[] = [];
  const failed = new Set<string>();
  for (const s of series) {
    // The host's limits, overridden by ones read for this namespace.
    const limits = new Map([...(book.byKey.get(s.hostKey) ?? []), ...(s.key !== s.hostKey ? (book.byKey.get(s.key) ?? []) : [])]);
    const ctx = new Context(s, limits, logs);
    for (const rule of rules) {
      if (failed.has(rule.id)) continue;
      try {
        const missing = new Set<string>();
        let evaluated = false;
        if (rule.def.scope === 'series') {
          const env = seriesEnv(rule, ctx, book, missing);
          const t = truth(rule.when, env);
          if (t !== undefined) evaluated = true;
          if (t === true) {
            const all = Array.from({ length: s.length }, (_, i) => i);
            findings.push(makeFinding(rule, ctx, book, all, severityAt(rule, env), () => renderMessage(rule, env)));
          }
        } else {
          let run: number[] = [];
          let runSev: Severity = 'info';
          // The snapshot where the run reached runSev (critical since...).
          let runSevAt = 0;
          let runs = 0;
          let unlisted = 0;
          let unlistedLast = 0;
          const close = () => {
            if (!run.length) return;
            if (runs++ >= MAX_FINDINGS_PER_SERIES) {
              unlisted++;
              unlistedLast = run[run.length - 1]!;
              run = [];
              runSev = 'info';
              return;
            }
            // The message speaks of the peak snapshot.
            const r = run;
            findings.push(makeFinding(rule, ctx, book, r, runSev, (p) => renderMessage(rule, snapshotEnv(rule, ctx, book, p, new Set(), r)), runSevAt));
            run = [];
            runSev = 'info';
          };
          const cenv = compileEnv(rule, ctx, book, missing);
          const when = compileBool(rule.when, cenv);
          const levels = rule.levels.map((l) => compileBool(l.when, cenv));
          if (when && levels.every((l) => l)) {
            // Compiled (rules/compile.ts): the same values, reads and short-circuits as evaluate.
            for (let i = 0; i < s.length; i++) {
              const t = when(i);
              if (t === 2) continue; // not evaluated here: neither fires nor breaks a run
              evaluated = true;
              if (t === 1) {
                if (!run.length) runSev = 'info';
                run.push(i);
                let sev = rule.def.severity;
                for (let k = 0; k < levels.length; k++) {
                  if (levels[k]!(i) === 1) {
                    sev = rule.levels[k]!.severity;
                    break;
                  }
                }
                if (run.length === 1 || SEVERITY_RANK[sev] > SEVERITY_RANK[runSev]) {
                  runSev = sev;
                  runSevAt = i;
                }
              } else {
                close();
              }
            }
          } else {
            const env = snapshotEnv(rule, ctx, book, 0, missing);
            for (let i = 0; i < s.length; i++) {
              env.at = i;
              const t = truth(rule.when, env);
              if (t === undefined) continue; // not evaluated here: neither fires nor breaks a run
              evaluated = true;
              if (t) {
                if (!run.length) runSev = 'info';
                run.push(i);
                const sev = severityAt(rule, env);
                if (run.length === 1 || SEVERITY_RANK[sev] > SEVERITY_RANK[runSev]) {
                  runSev = sev;
                  runSevAt = i;
                }
              } else {
                close();
              }
            }
          }
          close();
          if (unlisted) {
            notices.push(
              `rule ${rule.id} on ${s.label}: ${unlisted} more run(s) of snapshots where it holds, the last ending at ${s.time(unlistedLast) ?? s.source(unlistedLast)}, ` +
                `are not listed (at most ${MAX_FINDINGS_PER_SERIES} findings per rule and series)`,
            );
          }
        }
        if (!evaluated) {
          const optional = optionalNames(rule);
          notEvaluated.push({ rule: rule.id, host: s.host ?? null, series: s.label, missing: [...missing].filter((m) => !m.startsWith('limits.') && !optional.has(m)).sort() });
        }
      } catch (err) {
        // A rule that fails at run time (`cannot apply ">" to number and string`: lint does not know the
        // types the data gives) is a reported problem naming its file; the other rules still run.
        failed.add(rule.id);
        const msg = err instanceof ExprError ? err.message.replace(/ at (\d+)$/, ' (character $1 of an expression)') : String((err as Error)?.message ?? err);
        problems.push(problem(rule.file, `rule ${rule.id} failed on ${s.label}: ${msg}; its findings are left out`));
      }
    }
  }
  if (failed.size) {
    for (let i = findings.length - 1; i >= 0; i--) if (failed.has(findings[i]!.rule)) findings.splice(i, 1);
    for (let i = notEvaluated.length - 1; i >= 0; i--) if (failed.has(notEvaluated[i]!.rule)) notEvaluated.splice(i, 1);
  }
  applyYields(rules, findings);
  findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      cmp(a.series, b.series) ||
      cmp(a.first_seen ?? '', b.first_seen ?? '') ||
      cmp(a.rule, b.rule),
  );
  return { findings, notEvaluated, problems, notices };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function overlaps(a: Finding, b: Finding): boolean {
  if (a.first_seen === null || b.first_seen === null) return a.series === b.series;
  return a.first_seen <= (b.last_seen ?? b.first_seen) && b.first_seen <= (a.last_seen ?? a.first_seen);
}

/** `yield_to`: a finding explained by another rule's finding at the same host and time drops and says why. */
function applyYields(rules: readonly CompiledRule[], findings: Finding[]): void {
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const f of findings) {
    for (const y of byId.get(f.rule)?.def.yield_to ?? []) {
      const other = findings.find((g) => g.rule === y.rule && g.series === f.series && overlaps(f, g));
      if (other) {
        f.severity = y.severity;
        f.notes.push(y.note.trim());
      }
    }
  }
}

export type { Expr };
