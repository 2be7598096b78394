import { linearRegression, mean, median, quantile, rSquared, linearRegressionLine, standardDeviation, min, max } from 'simple-statistics';

/** Names of the functions each scope offers (beyond the built-in known/coalesce). */
export const SCALAR_FUNCTIONS = ['round', 'abs', 'pages_mib', 'bytes_mib', 'pct', 'least', 'greatest'] as const;
/** Kernel log functions: their first argument is the name of one of the rule's `log` patterns, as a string. */
export const LOG_FUNCTIONS = ['log_count', 'log_lines', 'log_values', 'log_sum'] as const;
export const SNAPSHOT_FUNCTIONS = [...SCALAR_FUNCTIONS, 'prev', 'counter_delta', 'counter_rate', 'run_sum', ...LOG_FUNCTIONS] as const;
export const SERIES_FUNCTIONS = [
  ...SCALAR_FUNCTIONS,
  'slope', 'r2', 'delta', 'rate', 'min', 'max', 'mean', 'median', 'quantile', 'stddev', 'zscore', 'count', 'first', 'last',
  'counter_delta', 'counter_rate',
] as const;

/**
 * A cumulative counter (`TcpExtListenOverflows`) over the interval that ends at snapshot i:
 * from the nearest earlier snapshot that has it. Absent at the first, when i lacks it, and
 * where it went backwards (a reboot, a namespace made again): a new run starts there, never
 * a negative increase. `seconds`: NaN when either time is unknown.
 */
export function counterStep(t: Float64Array, y: Float64Array, i: number, file?: Int32Array): { delta: number; seconds: number } | undefined {
  const v = y[i]!;
  if (v !== v) return undefined;
  let j = i - 1;
  while (j >= 0 && y[j] !== y[j]) j--;
  if (j < 0 || v < y[j]!) return undefined;
  if (!ordered(t, i, j, file)) return undefined;
  return { delta: v - y[j]!, seconds: (t[i]! - t[j]!) / 1000 };
}

/**
 * A cumulative counter over a series (from index lo): the sum of its increases between
 * consecutive snapshots that have it, a backwards step starting a new run (it adds
 * nothing); and the seconds from the first to the last of those snapshots with a time.
 */
export function counterIncrease(t: Float64Array, y: Float64Array, lo = 0, file?: Int32Array): { delta: number; seconds: number; steps: number } | undefined {
  let prev = NaN;
  let pi = -1;
  let delta = 0;
  let steps = 0;
  let t0 = NaN;
  let t1 = NaN;
  for (let i = lo; i < y.length; i++) {
    const v = y[i]!;
    if (v !== v) continue;
    if (t[i] === t[i]) {
      if (t0 !== t0) t0 = t[i]!;
      t1 = t[i]!;
    }
    if (prev === prev && ordered(t, i, pi, file)) {
      steps++;
      if (v >= prev) delta += v - prev;
    }
    prev = v;
    pi = i;
  }
  return steps ? { delta, seconds: (t1 - t0) / 1000, steps } : undefined;
}

/**
 * Whether snapshot j came before snapshot i in time, so that a counter's step from j to i is
 * an increase over an interval: both have a time, or both come from one file (the order of
 * its lines is the order of capture). Untimed snapshots of different files are in no known
 * order (pcp's QA keeps `/proc/net/snmp` of four kernels side by side): no step between them.
 */
function ordered(t: Float64Array, i: number, j: number, file: Int32Array | undefined): boolean {
  if (t[i] === t[i] && t[j] === t[j]) return true;
  return file !== undefined && file[i] === file[j];
}

/** Page size used to turn `mem` pages into bytes (the usual 4 KiB; sockstat does not print it). */
export const PAGE_SIZE = 4096;

export function scalarCall(name: string, args: (number | boolean | string | undefined)[]): number | undefined {
  const nums = args.map((a) => (typeof a === 'number' ? a : undefined));
  if (nums.some((n) => n === undefined)) return undefined;
  const n = nums as number[];
  switch (name) {
    case 'round': {
      const p = 10 ** (n[1] ?? 0);
      return Math.round(n[0]! * p) / p;
    }
    case 'abs':
      return Math.abs(n[0]!);
    case 'pages_mib':
      return (n[0]! * PAGE_SIZE) / 1048576;
    case 'bytes_mib':
      return n[0]! / 1048576;
    case 'pct':
      return n[1] === 0 ? undefined : (100 * n[0]!) / n[1]!;
    case 'least':
      return n.reduce((a, b) => Math.min(a, b));
    case 'greatest':
      return n.reduce((a, b) => Math.max(a, b));
  }
  return undefined;
}

/** Parse a window such as `30m`, `90s`, `2h`, `1d` into milliseconds. */
export function parseWindow(w: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(w.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * The points a series function reads: values present within the window, and the
 * timed ones as (minutes since the first, value). Each list is made when a function
 * first needs it (count, first, last and delta need neither).
 */
export class SeriesPoints {
  private ysList: number[] | undefined;
  /** Values present, and where the first and last are. */
  readonly count: number;
  readonly first: number;
  readonly last: number;

  constructor(
    private readonly t: Float64Array,
    private readonly y: Float64Array,
    private readonly lo: number,
    private readonly file?: Int32Array,
  ) {
    let count = 0;
    let first = NaN;
    let last = NaN;
    for (let i = lo; i < y.length; i++) {
      const v = y[i]!;
      if (v !== v) continue;
      if (count === 0) first = v;
      last = v;
      count++;
    }
    this.count = count;
    this.first = first;
    this.last = last;
  }

  /** The counter view of the points (counterIncrease), made once. */
  get counter(): { delta: number; seconds: number; steps: number } | undefined {
    if (this.counterDone === undefined) this.counterDone = { v: counterIncrease(this.t, this.y, this.lo, this.file) };
    return this.counterDone.v;
  }
  private counterDone: { v: ReturnType<typeof counterIncrease> } | undefined;

  get ys(): number[] {
    if (!this.ysList) {
      const ys: number[] = [];
      const y = this.y;
      for (let i = this.lo; i < y.length; i++) if (y[i] === y[i]) ys.push(y[i]!);
      this.ysList = ys;
    }
    return this.ysList;
  }

  /** The timed points: minutes since the first timed one, and the values. */
  get timed(): { x: Float64Array; y: Float64Array } {
    if (!this.timedCols) {
      const { t, y } = this;
      const xs = new Float64Array(y.length - this.lo);
      const ys = new Float64Array(y.length - this.lo);
      let n = 0;
      let t0 = NaN;
      for (let i = this.lo; i < y.length; i++) {
        const v = y[i]!;
        if (Number.isNaN(v)) continue;
        const ti = t[i]!;
        if (!Number.isNaN(ti)) {
          if (Number.isNaN(t0)) t0 = ti;
          xs[n] = (ti - t0) / 60000;
          ys[n++] = v;
        }
      }
      this.timedCols = { x: xs.subarray(0, n), y: ys.subarray(0, n) };
    }
    return this.timedCols;
  }
  private timedCols: { x: Float64Array; y: Float64Array } | undefined;

  /** The timed points as simple-statistics takes them. */
  get pts(): [number, number][] {
    const { x, y } = this.timed;
    return Array.from(x, (xi, i) => [xi, y[i]!] as [number, number]);
  }
}

const YS_FUNCTIONS = new Set(['min', 'max', 'mean', 'median', 'quantile', 'stddev', 'zscore']);

/** From this many points on, slope and r² are computed over the columns (see fitLine). */
export const LONG_SERIES = 4096;

/**
 * simple-statistics' linearRegression and rSquared over points given as two columns:
 * the same sums in the same order, so the same numbers (a test compares them), without
 * an array per point, which on a series of 10^5 points and more costs more than the sums.
 */
export function fitLine(x: Float64Array, y: Float64Array): { m: number; b: number } {
  const n = x.length;
  if (n === 1) return { m: 0, b: y[0]! };
  let sumX = 0;
  let sumY = 0;
  for (let i = 0; i < n; i++) {
    sumX += x[i]!;
    sumY += y[i]!;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sumXY = 0;
  let sumXX = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - meanX;
    sumXY += dx * (y[i]! - meanY);
    sumXX += dx * dx;
  }
  const m = sumXY / sumXX;
  return { m, b: meanY - m * meanX };
}

export function rSquaredOf(x: Float64Array, y: Float64Array, line: { m: number; b: number }): number {
  const n = x.length;
  if (n < 2) return 1;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i]!;
  const average = sum / n;
  let sumOfSquares = 0;
  for (let i = 0; i < n; i++) sumOfSquares += Math.pow(average - y[i]!, 2);
  let err = 0;
  for (let i = 0; i < n; i++) err += Math.pow(y[i]! - (line.b + line.m * x[i]!), 2);
  return 1 - err / sumOfSquares;
}

/**
 * Points of a series (t in epoch ms, NaN when unknown; y NaN when absent).
 * `windowMs` keeps the points within that span before the last timed point.
 * Undefined: a window was asked and no point has a time.
 */
export function seriesPoints(t: Float64Array, y: Float64Array, windowMs?: number, file?: Int32Array): SeriesPoints | undefined {
  let lo = 0;
  if (windowMs !== undefined) {
    let lastT = NaN;
    for (let i = t.length - 1; i >= 0; i--) if (!Number.isNaN(t[i]!)) { lastT = t[i]!; break; }
    if (Number.isNaN(lastT)) return undefined;
    while (lo < t.length && !(t[lo]! >= lastT - windowMs)) lo++;
  }
  return new SeriesPoints(t, y, lo, file);
}

/**
 * A series function over points (t in epoch ms, NaN when unknown; y NaN when absent).
 * `windowMs` keeps the points within that span before the last timed point.
 * Returns undefined when the points do not allow an answer (absent).
 */
export function seriesCall(name: string, t: Float64Array, y: Float64Array, windowMs?: number, arg?: number): number | undefined {
  const p = seriesPoints(t, y, windowMs);
  return p && seriesOf(name, p, arg);
}

/** A series function over points already taken out of the columns (the engine keeps them per field and window). */
export function seriesOf(name: string, points: SeriesPoints, arg?: number): number | undefined {
  const n = points.count;
  switch (name) {
    case 'count':
      return n;
    case 'first':
      return n ? points.first : undefined;
    case 'last':
      return n ? points.last : undefined;
    case 'delta':
      return n >= 2 ? points.last - points.first : undefined;
    case 'counter_delta':
      return points.counter?.delta;
    case 'counter_rate': {
      const c = points.counter;
      return c && c.seconds > 0 ? c.delta / c.seconds : undefined;
    }
  }
  if (YS_FUNCTIONS.has(name)) {
    const ys = points.ys;
    switch (name) {
      case 'min':
        return ys.length ? min(ys) : undefined;
      case 'max':
        return ys.length ? max(ys) : undefined;
      case 'mean':
        return ys.length ? mean(ys) : undefined;
      case 'median':
        return ys.length ? median(ys) : undefined;
      case 'quantile':
        return ys.length && arg !== undefined && arg >= 0 && arg <= 1 ? quantile(ys, arg) : undefined;
      case 'stddev':
        return ys.length >= 2 ? standardDeviation(ys) : undefined;
      case 'zscore': {
        if (ys.length < 3) return undefined;
        const sd = standardDeviation(ys);
        return sd === 0 ? undefined : (ys[ys.length - 1]! - mean(ys)) / sd;
      }
    }
  }
  // The rest need time: slope is per minute.
  const { x, y } = points.timed;
  let distinct = false;
  for (let i = 1; i < x.length && !distinct; i++) distinct = x[i] !== x[0];
  if (!distinct) return undefined;
  const long = x.length >= LONG_SERIES;
  switch (name) {
    case 'slope':
      return long ? fitLine(x, y).m : linearRegression(points.pts).m;
    case 'r2': {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < y.length; i++) {
        if (y[i]! < lo) lo = y[i]!;
        if (y[i]! > hi) hi = y[i]!;
      }
      if (lo === hi) return undefined; // flat: no trend to explain
      if (long) return rSquaredOf(x, y, fitLine(x, y));
      const pts = points.pts;
      return rSquared(pts, linearRegressionLine(linearRegression(pts)));
    }
    case 'rate': {
      const span = x[x.length - 1]! - x[0]!;
      return span > 0 ? (y[y.length - 1]! - y[0]!) / span : undefined;
    }
  }
  return undefined;
}
