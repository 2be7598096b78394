/** Unicode sparklines for the key series of a host (text and markdown reports). */
import type { HostSeries } from '../series/series.js';

const BARS = '▁▂▃▄▅▆▇█';

export interface Sparkline {
  /** The line: one character per bucket; a space where the bucket has no value (absent). */
  line: string;
  first: number | null;
  min: number | null;
  max: number | null;
  last: number | null;
}

/** At most `width` characters: each bucket shows the largest value in it (peaks stay visible). */
export function sparkline(values: ArrayLike<number>, width = 40): Sparkline {
  const n = values.length;
  const buckets = Math.min(width, n);
  const maxes: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    let m: number | null = null;
    for (let i = Math.floor((b * n) / buckets); i < Math.floor(((b + 1) * n) / buckets); i++) {
      const v = values[i]!;
      if (!Number.isNaN(v) && (m === null || v > m)) m = v;
    }
    maxes.push(m);
  }
  let lo = Infinity;
  let hi = -Infinity;
  let first: number | null = null;
  let last: number | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (first === null) first = v;
    last = v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const line = maxes.map((m) => (m === null ? ' ' : BARS[hi === lo ? 0 : Math.round(((m - lo) / (hi - lo)) * (BARS.length - 1))]!)).join('');
  return { line, first, min: first === null ? null : lo, max: first === null ? null : hi, last };
}

/** The key series of a host, as in the HTML chart. Series with no value at all are left out. */
export function hostSparklines(s: HostSeries): Record<string, Sparkline> {
  const col = (f: Parameters<HostSeries['col']>[0]) => s.col(f);
  const in4 = col('tcp4_inuse');
  const in6 = col('tcp6_inuse');
  const hashed = new Float64Array(in4.length);
  for (let i = 0; i < hashed.length; i++) hashed[i] = in4[i]! + in6[i]!;
  const out: Record<string, Sparkline> = {};
  const add = (k: string, c: Float64Array) => {
    const sp = sparkline(c);
    if (sp.first !== null) out[k] = sp;
  };
  add('tcp_alloc', col('tcp_alloc'));
  add('tcp_hashed', hashed);
  add('tcp_tw', col('tcp_tw'));
  add('tcp_unhashed', col('tcp_unhashed'));
  add('tcp_orphan', col('tcp_orphan'));
  add('tcp_estab', col('tcp_estab'));
  add('sockets_used', col('sockets_used'));
  return out;
}
