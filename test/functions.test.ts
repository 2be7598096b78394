import { linearRegression, linearRegressionLine, rSquared } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { fitLine, LONG_SERIES, rSquaredOf, seriesCall } from '../src/rules/functions.js';

/** A seeded walk with a trend: the kind of series slope and r² are asked about. */
function walk(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  let a = seed;
  const rnd = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let v = 1000;
  for (let i = 0; i < n; i++) {
    x[i] = i * (0.5 + rnd());
    v += Math.round((rnd() - 0.45) * 40);
    y[i] = v;
  }
  return { x, y };
}

describe('slope and r² over long series', () => {
  it('give exactly what simple-statistics gives for the same points', () => {
    for (const [n, seed] of [[5000, 1], [LONG_SERIES, 2], [120_000, 3], [2, 4]] as const) {
      const { x, y } = walk(n, seed);
      const pts = Array.from(x, (xi, i) => [xi, y[i]!] as [number, number]);
      const lib = linearRegression(pts);
      const mine = fitLine(x, y);
      expect(mine.m).toBe(lib.m);
      expect(mine.b).toBe(lib.b);
      expect(rSquaredOf(x, y, mine)).toBe(rSquared(pts, linearRegressionLine(lib)));
    }
  });

  it('the series functions agree across the length where they switch to the columns', () => {
    const n = LONG_SERIES + 10;
    const { y } = walk(n, 9);
    const t = Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 10, 25) + i * 60_000);
    const long = { slope: seriesCall('slope', t, y), r2: seriesCall('r2', t, y) };
    const pts = Array.from(y, (v, i) => [i, v] as [number, number]);
    const lib = linearRegression(pts);
    expect(long.slope).toBe(lib.m);
    expect(long.r2).toBe(rSquared(pts, linearRegressionLine(lib)));
    expect(long.slope).toBeGreaterThan(0);
  });
});
