#!/usr/bin/env node
// Generator of large capture logs for benchmarks. The data are GENERATED, not captured:
// each block has the exact layout of the real `date; cat /proc/net/sockstat; cat
// /proc/net/sockstat6; ss -s` captures in samples/kernel-6.18/*/timeline-date.log
// (C-locale date line, sockstat key order, ss -s tabs and %-9d padding), with values on a
// seeded random walk, and the ss -s numbers computed from the sockstat ones exactly as
// iproute2 >= 4.17 does (Total = used, TCP = alloc + tw, closed = alloc - (inuse4 +
// inuse6 - tw), INET = RAW + UDP + TCP).
//
//   node bench/gen.mjs --size 200M --out bench/data/log-200M.txt [--seed 1] [--year 2026]
//   node bench/gen.mjs --files 10000 --dir bench/data/files-10k [--seed 1]
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = mulberry32(Number(args.seed ?? 1));
const walk = (v, step, lo, hi) => Math.min(hi, Math.max(lo, v + Math.round((rnd() - 0.5) * 2 * step)));

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');
/** `date` in the C locale with TZ=UTC: `Wed Nov 25 00:55:46 UTC 2026` (day padded with a space). */
function dateLine(ms) {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
const d9 = (n) => String(n).padEnd(9, ' ');
const row = (label, a, b) => `${label}\t  ${d9(a + b)} ${d9(a)} ${d9(b)}\n`;

// State of the simulated host.
const s = { in4: 120, in6: 30, tw: 40, orphan: 0, leak: 0, mem: 210, u4: 10, u6: 4, umem: 2, raw4: 0, raw6: 1, f4: 0, f6: 0, other: 60, estab: 100 };
function step() {
  s.in4 = walk(s.in4, 6, 1, 5000);
  s.in6 = walk(s.in6, 3, 0, 2000);
  s.tw = walk(s.tw, 25, 0, 20000);
  s.orphan = walk(s.orphan, 1, 0, 50);
  // now and then an application leaks unconnected sockets for a while, then restarts
  if (s.leak > 0 || rnd() < 0.002) s.leak = rnd() < 0.01 ? 0 : s.leak + Math.round(rnd() * 5);
  s.mem = walk(s.mem, 20, 1, 200000);
  s.u4 = walk(s.u4, 2, 0, 5000);
  s.u6 = walk(s.u6, 1, 0, 2000);
  s.umem = walk(s.umem, 2, 0, 50000);
  s.other = walk(s.other, 3, 10, 10000);
  s.estab = Math.max(0, Math.min(s.in4 + s.in6, walk(s.estab, 5, 0, 5000)));
}

function block(ms) {
  const alloc = s.in4 + s.in6 + s.leak;
  const used = alloc + s.u4 + s.u6 + s.raw4 + s.raw6 + s.other;
  const tcpRow = [s.in4, s.in6];
  return (
    `${dateLine(ms)}\n` +
    `sockets: used ${used}\n` +
    `TCP: inuse ${s.in4} orphan ${s.orphan} tw ${s.tw} alloc ${alloc} mem ${s.mem}\n` +
    `UDP: inuse ${s.u4} mem ${s.umem}\n` +
    `UDPLITE: inuse 0\n` +
    `RAW: inuse ${s.raw4}\n` +
    `FRAG: inuse ${s.f4} memory ${s.f4 * 2504}\n` +
    `TCP6: inuse ${s.in6}\n` +
    `UDP6: inuse ${s.u6}\n` +
    `UDPLITE6: inuse 0\n` +
    `RAW6: inuse ${s.raw6}\n` +
    `FRAG6: inuse ${s.f6} memory ${s.f6 * 2504}\n` +
    `Total: ${used}\n` +
    `TCP:   ${alloc + s.tw} (estab ${s.estab}, closed ${alloc - (tcpRow[0] + tcpRow[1] - s.tw)}, orphaned ${s.orphan}, timewait ${s.tw})\n` +
    `\n` +
    `Transport Total     IP        IPv6\n` +
    row('RAW', s.raw4, s.raw6) +
    row('UDP', s.u4, s.u6) +
    row('TCP', s.in4, s.in6) +
    row('INET', s.raw4 + s.u4 + s.in4, s.raw6 + s.u6 + s.in6) +
    row('FRAG', s.f4, s.f6) +
    `\n`
  );
}

function parseSize(t) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(String(t));
  if (!m) throw new Error(`bad --size ${t}`);
  return Math.round(Number(m[1]) * { '': 1, K: 1024, M: 1 << 20, G: 1 << 30 }[m[2].toUpperCase()]);
}

// --year Y: the first block at Jan 1 of Y (default 2026); logs of different years share no moment.
const start = Date.UTC(Number(args.year ?? 2026), 0, 1);
if (args.files) {
  // Per-snapshot file triples named by UTC time, as snap.sh per-minute writes them.
  const n = Number(args.files);
  mkdirSync(args.dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    step();
    const ms = start + i * 60000;
    const b = block(ms).split('\n');
    const name = new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
    writeFileSync(`${args.dir}/${name}.sockstat`, b.slice(1, 7).join('\n') + '\n');
    writeFileSync(`${args.dir}/${name}.sockstat6`, b.slice(7, 12).join('\n') + '\n');
    writeFileSync(`${args.dir}/${name}.ss-s`, b.slice(12).join('\n'));
  }
  console.log(`${n} snapshots, ${n * 3} files in ${args.dir}`);
} else {
  const size = parseSize(args.size ?? '200M');
  const out = createWriteStream(args.out);
  let written = 0;
  let blocks = 0;
  let buf = '';
  while (written + buf.length < size) {
    step();
    buf += block(start + blocks * 60000);
    blocks++;
    if (buf.length >= 1 << 22) {
      written += buf.length;
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  written += buf.length;
  out.end(buf);
  await once(out, 'finish');
  console.log(`${blocks} blocks, ${written} bytes in ${args.out}`);
}
