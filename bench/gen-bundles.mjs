#!/usr/bin/env node
// node bench/gen-bundles.mjs --bundles 1000 --out DIR [--hosts 250 --messages 256 --seed 1]
// A fleet of sosreports made from the real sample sosreport
// (samples/bundles/sosreport-vm-2026-11-25-corpus.tar.xz): every file of it is kept, and in
// each copy the host name (hostname, uname, sos_commands/host/hostname,
// sos_commands/kernel/uname_-a), the capture time (date, sos_commands/date/*) and the socket
// counters (proc/net/sockstat, sockstat6, sos_commands/networking/ss_-s) are changed, the
// counters on a seeded random draw with the arithmetic of a real capture kept
// (alloc = inuse - tw + unhashed; ss -s's TCP total is alloc, its closed the unhashed,
// its transport TCP row inuse - tw; sockets used = alloc + the other sockets).
// `--hosts H`: bundle i is of host node(i mod H), each host's bundles a day apart, so a host
// has a short series. `--messages KiB` adds a var/log/messages of that size (syslog lines of
// that host), as real sosreports carry one. Three in four bundles are .tar.xz (sos's default),
// one in four .tar.gz. Written into DIR (a temporary directory: never in the repository).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLE = join(root, 'samples/bundles/sosreport-vm-2026-11-25-corpus.tar.xz');

/** The sample's members, in archive order: { header, body }. */
async function readSample() {
  const tar = spawnSync('xz', ['-dc', SAMPLE], { maxBuffer: 1 << 26 });
  if (tar.status !== 0) throw new Error('xz -dc of the sample failed');
  const ex = tarStream.extract();
  const members = [];
  const done = new Promise((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        members.push({ header, body: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar.stdout);
  await done;
  return members;
}

/** A small seeded generator (mulberry32): the same fleet for the same seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `date`'s output in UTC: `Wed Nov 25 00:56:24 UTC 2026`. */
const dateLine = (d) => `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} UTC ${d.getUTCFullYear()}\n`;

function counters(r) {
  const pick = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const inuse = pick(1, 800);
  const tw = pick(0, Math.min(inuse - 1, 400));
  const orphan = pick(0, 5) === 0 ? pick(0, 300) : 0;
  // Most hosts are healthy; some hold unconnected sockets (the sample's leak), a few many.
  const unhashed = r() < 0.7 ? pick(0, 40) : r() < 0.8 ? pick(200, 3000) : pick(5000, 40000);
  const alloc = inuse - tw + unhashed;
  const udp = pick(0, 60);
  const other = pick(8, 400);
  const estab = pick(0, inuse - tw);
  return { inuse, tw, orphan, unhashed, alloc, udp, other, estab, used: alloc + udp + other, mem: Math.ceil(alloc / 7) + pick(0, 50) };
}

function sockstat(c) {
  return `sockets: used ${c.used}\nTCP: inuse ${c.inuse} orphan ${c.orphan} tw ${c.tw} alloc ${c.alloc} mem ${c.mem}\nUDP: inuse ${c.udp} mem ${Math.ceil(c.udp / 4)}\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n`;
}

function ssS(c) {
  const tcp = c.inuse - c.tw;
  const row = (name, total, ip, ip6) => `${name}\t  ${String(total).padEnd(10)}${String(ip).padEnd(10)}${String(ip6).padEnd(9)}\n`;
  return (
    `Total: ${c.used}\nTCP:   ${c.alloc} (estab ${c.estab}, closed ${c.unhashed}, orphaned ${c.orphan}, timewait ${c.tw})\n\n` +
    'Transport Total     IP        IPv6\n' +
    row('RAW', 0, 0, 0) + row('UDP', c.udp, c.udp, 0) + row('TCP', tcp, tcp, 0) + row('INET', tcp + c.udp, tcp + c.udp, 0) + row('FRAG', 0, 0, 0) + '\n'
  );
}

function messages(host, when, kib, r) {
  const lines = [
    'systemd[1]: Started Session 1234 of user root.',
    'sshd[20422]: Accepted publickey for root from 10.0.0.5 port 50522 ssh2: RSA SHA256:abcdefghijklmnop',
    'kernel: IPv4: martian source 10.1.2.3 from 10.1.2.4, on dev eth0',
    'CRON[30001]: (root) CMD (run-parts --report /etc/cron.hourly)',
  ];
  let out = '';
  let t = when.getTime() - kib * 1024 * 100;
  for (let n = 0; out.length < kib * 1024; n++) {
    t += Math.floor(r() * 200);
    const d = new Date(t);
    out += `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)} ${host} ${lines[n % 4]} seq=${n}\n`;
  }
  return Buffer.from(out);
}

async function pack(entries) {
  const p = tarStream.pack();
  const chunks = [];
  p.on('data', (c) => chunks.push(c));
  const end = new Promise((resolve) => p.on('end', resolve));
  for (const e of entries) {
    if (e.header.type === 'directory') p.entry({ ...e.header, size: 0 });
    else p.entry({ ...e.header, size: e.body.length }, e.body);
  }
  p.finalize();
  await end;
  return Buffer.concat(chunks);
}

export async function generateBundles({ bundles = 1000, out, hosts = Math.max(1, Math.ceil(bundles / 4)), messagesKiB = 256, seed = 1 }) {
  const sample = await readSample();
  const old = sample[0].header.name.replace(/\/$/, '');
  const r = rng(seed);
  mkdirSync(out, { recursive: true });
  const files = [];
  const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);
  for (let i = 0; i < bundles; i++) {
    const host = `node${String(i % hosts).padStart(4, '0')}`;
    const when = new Date(t0 + Math.floor(i / hosts) * 86_400_000 + (i % hosts) * 37_000 + Math.floor(r() * 30_000));
    const day = when.toISOString().slice(0, 10);
    const name = `sosreport-${host}-${day}-${String(i).padStart(5, '0')}`;
    const c = counters(r);
    const replace = {
      hostname: `${host}\n`,
      'sos_commands/host/hostname': `${host}\n`,
      date: dateLine(when),
      'sos_commands/date/date': dateLine(when),
      'sos_commands/date/date_--utc': dateLine(when),
      'proc/net/sockstat': sockstat(c),
      'sos_commands/networking/ss_-s': ssS(c),
    };
    const entries = sample.map(({ header, body }) => {
      const rel = header.name.slice(old.length + 1);
      const h = { ...header, name: `${name}${header.name.slice(old.length)}`, mtime: when };
      if (rel === 'uname' || rel === 'sos_commands/kernel/uname_-a') return { header: h, body: Buffer.from(body.toString().replace(/^Linux vm /, `Linux ${host} `)) };
      return { header: h, body: Object.hasOwn(replace, rel) ? Buffer.from(replace[rel]) : body };
    });
    if (messagesKiB > 0) {
      const dir = { mode: 0o755, mtime: when, type: 'directory' };
      entries.push({ header: { ...dir, name: `${name}/var/` } }, { header: { ...dir, name: `${name}/var/log/` } });
      entries.push({ header: { name: `${name}/var/log/messages`, mode: 0o600, mtime: when, type: 'file' }, body: messages(host, when, messagesKiB, r) });
    }
    const tar = await pack(entries);
    const xz = i % 4 !== 3;
    const file = join(out, `${name}.tar.${xz ? 'xz' : 'gz'}`);
    if (xz) {
      const z = spawnSync('xz', ['-1', '-T1', '-c'], { input: tar, maxBuffer: 1 << 28 });
      if (z.status !== 0) throw new Error('xz failed');
      writeFileSync(file, z.stdout);
    } else {
      writeFileSync(file, gzipSync(tar, { level: 6 }));
    }
    files.push(file);
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? dflt : process.argv[i + 1];
  };
  const out = arg('out');
  if (!out) throw new Error('--out DIR is required');
  const n = Number(arg('bundles', 1000));
  const files = await generateBundles({ bundles: n, out, hosts: Number(arg('hosts', Math.ceil(n / 4))), messagesKiB: Number(arg('messages', 256)), seed: Number(arg('seed', 1)) });
  process.stderr.write(`${files.length} bundles in ${out}\n`);
}
