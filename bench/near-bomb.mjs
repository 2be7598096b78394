#!/usr/bin/env node
// Issue 18 item 6c: a gzip of one-line snapshots, for measuring analyze's memory with
// /usr/bin/time -v at several sizes (it must stay flat: bounded by the rows kept).
//   node bench/near-bomb.mjs --kind tcp --size 1G --out bench/data/tcp-1G.log.gz
//   node bench/near-bomb.mjs --kind sadf --size 256M --out bench/data/sadf-256M.log.gz
// tcp: `TCP: inuse 1 orphan 0 tw N alloc 1 mem 0` lines (a sockstat line alone is a
// snapshot with no time), N changing every 64 lines so that gzip stays under the bomb
// ratio (about 500:1, like 8 MB -> 4 GiB). sadf: `sadf -d` SOCK rows of one host, one a
// second from 2026-01-01 (timed, so they go through the moment index too).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const units = { K: 1 << 10, M: 1 << 20, G: 1 << 30 };
const m = /^(\d+)([KMG])?$/.exec(args.size ?? '64M');
const size = Number(m[1]) * (units[m[2]] ?? 1);
const kind = args.kind ?? 'tcp';
const out = args.out ?? `bench/data/${kind}-${args.size ?? '64M'}.log.gz`;

const gz = createGzip({ level: 9 });
const file = createWriteStream(out);
gz.pipe(file);
const t0 = Date.UTC(2026, 0, 1);
let written = 0;
let i = 0;
while (written < size) {
  const lines = [];
  if (kind === 'sadf' && i === 0) lines.push('# hostname;interval;timestamp;totsck;tcpsck;udpsck;rawsck;ip-frag;tcp-tw');
  for (let k = 0; k < 4096; k++, i++) {
    if (kind === 'sadf') {
      const d = new Date(t0 + i * 1000).toISOString().replace('T', ' ').slice(0, 19);
      lines.push(`vm;1;${d} UTC;${300 + (i % 7)};12;4;0;0;${(i >> 6) % 100}`);
    } else {
      lines.push(`TCP: inuse 1 orphan 0 tw ${(i >> 6) % 1000} alloc 1 mem 0`);
    }
  }
  const chunk = lines.join('\n') + '\n';
  written += chunk.length;
  if (!gz.write(chunk)) await once(gz, 'drain');
}
gz.end();
await once(file, 'close');
process.stdout.write(`${out}: ${written} bytes of ${kind} lines\n`);
