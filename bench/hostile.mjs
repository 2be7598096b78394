#!/usr/bin/env node
// node bench/hostile.mjs [DIR]: writes the heavy hostile inputs of issue 18 into DIR
// (default bench/data/hostile) for measuring with /usr/bin/time -v:
//   overlap.zip  2,000 central-directory entries sharing one deflate body (64 MiB each)
//   nested.tar.gz  6 levels of .tar.gz, each with 16 hidden members of 8 MiB of zeros
//   crash.log  a capture log with 64 KiB NUL runs where blocks were lost
//   bomb.gz  a sockstat line then 2 GiB of spaces, ~2 MB of gzip (over the 1000:1 ratio)
//   long.log  a capture, one 256 MiB line, the capture again
// (the 20,000 hosts: bench/gen-hosts.mjs; one-line snapshots under the bomb ratio:
// bench/near-bomb.mjs; /dev/zero is named as it is; bench/hostile-run.mjs measures them all)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(root, 'bench/data/hostile');
mkdirSync(dir, { recursive: true });

function overlappingZip(n, size) {
  const data = Buffer.alloc(size, 0x61);
  const body = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const name0 = Buffer.from('m00000.log');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name0.length, 26);
  const head = Buffer.concat([local, name0, body]);
  const cds = [];
  for (let i = 0; i < n; i++) {
    const name = Buffer.from(`m${String(i).padStart(5, '0')}.log`);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cds.push(cd, name);
  }
  const cd = Buffer.concat(cds);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(n, 8);
  eocd.writeUInt16LE(n, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, cd, eocd]);
}

/** A ustar archive of plain members (no library: the header is 512 bytes). */
function tarOf(entries) {
  const parts = [];
  for (const { name, body } of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('15000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    parts.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

writeFileSync(join(dir, 'overlap.zip'), overlappingZip(2000, 64 << 20));

const real = readFileSync(join(root, 'samples/kernel-6.18/unconnected-leak/combined.txt'));
const zeros = Buffer.alloc(8 << 20);
let inner = gzipSync(tarOf([{ name: 'combined.txt', body: real }]));
for (let level = 6; level >= 1; level--) {
  const hidden = Array.from({ length: 16 }, (_, i) => ({ name: `.h${i}`, body: zeros }));
  inner = gzipSync(tarOf([...hidden, { name: `level${level}.tar.gz`, body: inner }]), { level: 1 });
}
writeFileSync(join(dir, 'nested.tar.gz'), inner);

const log = readFileSync(join(root, 'samples/kernel-6.18/unconnected-leak/timeline-date.log'));
const parts = [];
for (let i = 0; i < 200; i++) parts.push(log, Buffer.alloc(64 << 10));
writeFileSync(join(dir, 'crash.log'), Buffer.concat(parts));
{
  // A sockstat line, then 2 GiB of spaces: text (zeros are found binary before the ratio
  // guard), ~1030:1 in gzip, over the 1000:1 ratio once past the 256 MiB floor.
  const { createGzip } = await import('node:zlib');
  const { createWriteStream } = await import('node:fs');
  const { once } = await import('node:events');
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(join(dir, 'bomb.gz'));
  gz.pipe(out);
  gz.write('TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
  const z = Buffer.alloc(64 << 20, 0x20);
  for (let i = 0; i < 32; i++) if (!gz.write(z)) await once(gz, 'drain');
  gz.end();
  await once(out, 'close');
}
{
  const capture = readFileSync(join(root, 'samples/kernel-6.18/unconnected-leak/combined.txt'));
  writeFileSync(join(dir, 'long.log'), Buffer.concat([capture, Buffer.alloc(256 << 20, 0x61), Buffer.from('\n'), capture]));
}
process.stdout.write(`${dir}\n`);
