#!/usr/bin/env node
// node bench/series-bytes.mjs LOG: the analyze series store's size, measured on the built
// library (dist/): bytes of its typed-array columns per snapshot, and sparse-map entries.
import { analyzeWithSeries } from '../dist/index.js';

const { series } = await analyzeWithSeries([process.argv[2]]);
let bytes = 0, snapshots = 0, sparse = 0;
for (const s of series) {
  bytes += s.storeBytes;
  snapshots += s.length;
  sparse += s.sparseEntries;
}
process.stdout.write(JSON.stringify({ series: series.length, snapshots, bytes, perSnapshot: bytes / snapshots, sparse }) + '\n');
