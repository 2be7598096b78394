import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { expandInputs } from '../src/ingest/sources.js';
import { isProblem } from '../src/parse/problem.js';
import { collectSnapshots } from '../src/pipeline.js';
import { ROOT, sample, samplePath } from './helpers.js';

// Inputs recognised by content, text around NUL runs, special files, damaged and hostile
// archives: each built here around real captures from samples/.
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-ingest-'));
const REAL = sample('kernel-6.18/unconnected-leak/combined.txt');
const LOG = sample('kernel-6.18/unconnected-leak/timeline-date.log');
const SOS_TXZ = samplePath('bundles/sosreport-vm-2026-11-25-corpus.tar.xz');

type Entry = { name: string; body?: string | Buffer; type?: tar.Headers['type'] };
async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on('end', r));
  for (const e of entries) {
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body);
    await new Promise<void>((res, rej) => pack.entry({ name: e.name, type: e.type ?? 'file', size: body.length }, body, (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function zipOf(entries: { name: string; body: string | Buffer }[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries) z.addBuffer(Buffer.from(e.body), e.name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const sh = (cmd: string, args: string[], input?: Buffer): Buffer => execFileSync(cmd, args, { input, maxBuffer: 1 << 28 });
function write(name: string, data: Buffer | string): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}
const rel = (s: string) => s.replaceAll(tmp + '/', '');
const reasons = (r: Awaited<ReturnType<typeof collectSnapshots>>) => r.stats.inputProblems.map((p) => rel(`${p.source}: ${p.reason}`));
const stdin = (b: Buffer) => Readable.from([b.subarray(0, 100), b.subarray(100)]);

describe('formats by content (issue 13 §2)', () => {
  it('stdin holding .gz, .xz, .bz2, .tar.gz, .tar.xz and .zip is read, not called binary', async () => {
    const tgz = gzipSync(await tarOf([{ name: 'cap/combined.txt', body: REAL }]));
    const forms: Record<string, Buffer> = {
      gz: gzipSync(REAL),
      xz: sh('xz', ['-c'], Buffer.from(REAL)),
      bz2: sh('bzip2', ['-c'], Buffer.from(REAL)),
      tgz,
      txz: readFileSync(SOS_TXZ),
      zip: await zipOf([{ name: 'cap/combined.txt', body: REAL }]),
    };
    for (const [kind, bytes] of Object.entries(forms)) {
      const r = await collectSnapshots(['-'], { stdin: stdin(bytes) });
      expect(reasons(r), kind).toEqual([]);
      expect(r.snapshots.length, kind).toBe(1);
      expect(r.snapshots[0]!.values.sockets_used, kind).toBeGreaterThan(0);
    }
    const sos = await collectSnapshots(['-'], { stdin: stdin(forms.txz!) });
    expect(sos.snapshots[0]!.source).toBe('-!sosreport-vm-2026-11-25-corpus/proc/net/sockstat:1');
    expect(sos.snapshots[0]!.host).toBe('vm');
  });

  it('misleading names: a .tar.gz named .txt, a zip named .log, an xz named .gz, a .tbz supportconfig', async () => {
    const dir = 'scc_node2_261125_0412';
    const tbz = write(`${dir}.tbz`, sh('tar', ['-cjf', '-', '-C', samplePath('captures/supportconfig'), dir]));
    const files = [
      write('bundle.txt', gzipSync(await tarOf([{ name: 'x/combined.txt', body: REAL }]))),
      write('cap.log', await zipOf([{ name: 'combined.txt', body: REAL }])),
      write('cap2.gz', sh('xz', ['-c'], Buffer.from(REAL))),
    ];
    const r = await collectSnapshots(files);
    expect(r.snapshots.map((s) => rel(s.source))).toEqual(['bundle.txt!x/combined.txt:1', 'cap.log!combined.txt:1', 'cap2.gz:1']);
    expect(reasons(r)).toEqual([
      'bundle.txt: read as gz by its content (the name says plain text)',
      'cap.log: read as zip by its content (the name says plain text)',
      'cap2.gz: read as xz by its content (the name says gz)',
    ]);
    const dirRead = await collectSnapshots([samplePath(`captures/supportconfig/${dir}`)]);
    const t = await collectSnapshots([tbz]);
    expect(reasons(t)).toEqual([]);
    expect(t.snapshots.map((s) => [s.host, s.time, s.values])).toEqual(dirRead.snapshots.map((s) => [s.host, s.time, s.values]));
    expect(t.snapshots.length).toBeGreaterThan(0);
  });

  it('without native decoders: xz through WebAssembly, bzip2 refused with a clear message', () => {
    const bz = write('nat.log.bz2', sh('bzip2', ['-c'], Buffer.from(REAL)));
    const xz = write('nat.log.xz', sh('xz', ['-c'], Buffer.from(REAL)));
    const out = spawnSyncCli(['export', xz, bz], { SOCKSCOPE_NO_NATIVE_DECODER: '1' });
    expect(out.stdout.split('\n').filter((l) => l.includes('nat.log.xz:1'))).toHaveLength(1);
    expect(out.stderr).toContain('bzip2-compressed: reading it needs the bzip2 program on PATH, which is missing');
  });
});

describe('which xz decoder runs (issue 16: 100 small sosreports took 2.9 s starting xz for each, 1.0 s in process)', () => {
  it('files up to SMALL_XZ compressed bytes in process, larger ones (or of unknown size) by the system xz when it is on PATH', async () => {
    const { SMALL_XZ, findProgram, xzDecoder } = await import('../src/ingest/decompress.js');
    const native = findProgram('xz') ? 'xz' : 'wasm';
    expect([xzDecoder(10_000), xzDecoder(SMALL_XZ), xzDecoder(SMALL_XZ + 1), xzDecoder()]).toEqual(['wasm', 'wasm', native, native]);
  });

  it('a small and a big .tar.xz of the same capture give the same snapshots', async () => {
    const { SMALL_XZ } = await import('../src/ingest/decompress.js');
    // The capture, then lines of random base64 (text that does not compress) past SMALL_XZ.
    const noise = randomBytes(SMALL_XZ * 2).toString('base64').replace(/.{76}/g, 'noise $&\n');
    const big = Buffer.from(REAL + '\n' + noise + '\n');
    const small = write('small.log.xz', sh('xz', ['-c'], Buffer.from(REAL)));
    const large = write('large.log.xz', sh('xz', ['-0', '-c'], big));
    const a = await collectSnapshots([small]);
    const b = await collectSnapshots([large]);
    expect(readFileSync(large).length).toBeGreaterThan(SMALL_XZ);
    expect(b.snapshots.map((s) => s.values)).toEqual(a.snapshots.map((s) => s.values));
    expect(a.snapshots.length).toBeGreaterThan(0);
  });
});

function spawnSyncCli(args: string[], env: Record<string, string> = {}): { stdout: string; stderr: string; code: number | null } {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), code: r.status };
}

describe('text with NUL runs (issue 13 §1)', () => {
  it('a log with NUL runs from a hard reboot is read around them, the runs reported', async () => {
    const blocks = LOG.split(/(?=^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d UTC \d{4}$)/m);
    expect(blocks.length).toBeGreaterThan(10);
    const whole = await collectSnapshots([write('clean.log', LOG)]);
    // Zeros where the blocks were allocated but not written, in the first 8 KiB and later.
    const crashed = Buffer.concat([Buffer.from(blocks[0]!), Buffer.alloc(5000), Buffer.from(blocks.slice(1, 5).join('')), Buffer.alloc(100_000), Buffer.from(blocks.slice(5).join(''))]);
    const r = await collectSnapshots([write('crash.log', crashed)]);
    expect(r.snapshots.map((s) => [s.time, s.values])).toEqual(whole.snapshots.map((s) => [s.time, s.values]));
    expect(reasons(r)).toEqual([
      `crash.log: 105000 NUL byte(s) in 2 run(s), the first at byte ${blocks[0]!.length} (a crash or hard reboot leaves these): passed over, the text around them read`,
    ]);
    // Lines keep their numbers in the file.
    expect(r.snapshots.map((s) => s.source)).toEqual(whole.snapshots.map((s) => s.source.replace('clean.log', 'crash.log')));
  });

  it('binary stays binary: an ELF, sadc data, random bytes, all NULs', async () => {
    const rnd = Buffer.alloc(20000);
    for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 2654435761) >>> 24;
    const files = [write('node.bin', readFileSync(process.execPath).subarray(0, 65536)), write('rnd.dat', rnd), write('zeros.log', Buffer.alloc(3 << 20))];
    const r = await collectSnapshots(files);
    expect(r.snapshots).toHaveLength(0);
    const rs = reasons(r);
    expect(rs).toHaveLength(3);
    expect(rs[0]).toMatch(/^node\.bin: binary file \(\d+% of its first bytes are control or NUL bytes\)/);
    expect(rs[1]).toMatch(/^rnd\.dat: binary file \(\d+% of its first bytes/);
    expect(rs[2]).toBe('zeros.log: binary file (1048576 NUL bytes and nothing else); not a text capture');
  });
});

describe('special files (issue 18 item 3)', () => {
  it('in a walked folder: /dev/zero, /dev/urandom (through links) and a FIFO are skipped with a reason', async () => {
    const d = join(tmp, 'special');
    mkdirSync(d);
    symlinkSync('/dev/zero', join(d, 'zero.log'));
    symlinkSync('/dev/urandom', join(d, 'urandom.log'));
    execFileSync('mkfifo', [join(d, 'pipe.log')]);
    writeFileSync(join(d, 'real.txt'), REAL);
    const t0 = Date.now();
    const r = await collectSnapshots([d]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.snapshots).toHaveLength(1);
    expect(reasons(r)).toEqual([
      'special/pipe.log: FIFO, not a regular file; skipped',
      'special/urandom.log: character device (through a symbolic link), not a regular file; skipped',
      'special/zero.log: character device (through a symbolic link), not a regular file; skipped',
    ]);
  });

  it('named on the command line: /dev/zero is streamed and found binary, a FIFO is read as it comes', async () => {
    const r = await collectSnapshots(['/dev/zero']);
    expect(reasons(r)).toEqual(['/dev/zero: binary file (1048576 NUL bytes and nothing else); not a text capture']);
    const fifo = join(tmp, 'cap.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat > '${fifo}'`], { stdio: ['pipe', 'ignore', 'ignore'] });
    writer.stdin.end(gzipSync(REAL));
    const f = await collectSnapshots([fifo]);
    expect(f.snapshots).toHaveLength(1);
    expect(f.snapshots[0]!.source).toBe(`${fifo}:1`);
  });
});

describe('damaged and hostile archives (issue 18)', () => {
  it('item 15: gzip with trailing garbage keeps every block and counts the file and its bytes', async () => {
    const blocks = LOG.split(/(?=^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d UTC \d{4}$)/m).slice(0, 18).join('');
    const p = write('garbage.log.gz', Buffer.concat([gzipSync(blocks), Buffer.from('this is not gzip\n'.repeat(50))]));
    const r = await collectSnapshots([p]);
    expect(r.snapshots).toHaveLength(18);
    expect(r.stats.files).toBe(1);
    expect(r.stats.bytes).toBe(Buffer.byteLength(blocks));
    expect(reasons(r)).toEqual([`garbage.log.gz: trailing garbage after the gzip data at byte ${gzipSync(blocks).length}; ignored (what decoded before it was read)`]);
    // A large file: the last chunk is kept too.
    const big = LOG.repeat(40);
    const q = write('garbage2.log.gz', Buffer.concat([gzipSync(big), Buffer.from('junk')]));
    const whole = await collectSnapshots([write('garbage2.log', big)]);
    const g = await collectSnapshots([q]);
    expect(g.snapshots.length).toBe(whole.snapshots.length);
    expect(g.stats.files).toBe(1);
    expect(g.stats.bytes).toBe(Buffer.byteLength(big));
  });

  it('item 12: two members of one name and a file beside a directory of its name are all read', async () => {
    const other = sample('kernel-6.18/idle/combined.txt');
    const t = write('dup.tar', await tarOf([
      { name: 'cap.txt', body: REAL },
      { name: 'cap.txt', body: other },
      { name: 'a', body: other },
      { name: 'a/b.txt', body: REAL },
    ]));
    const r = await collectSnapshots([t]);
    expect(r.snapshots).toHaveLength(4);
    expect(r.snapshots.map((s) => rel(s.source)).sort()).toEqual(['dup.tar!a:1', 'dup.tar!a~2/b.txt:1', 'dup.tar!cap.txt:1', 'dup.tar!cap.txt~2:1']);
    expect(reasons(r)).toEqual([
      'dup.tar!cap.txt: another member has this name; this one is read as dup.tar!cap.txt~2',
      'dup.tar!a/b.txt: a member clashes with this path (a file where a directory is, or the reverse); read as dup.tar!a~2/b.txt',
    ].map((x) => x));
    const z = write('dup.zip', await zipOf([{ name: 'cap.txt', body: REAL }, { name: 'cap.txt', body: other }, { name: 'a/b.txt', body: REAL }, { name: 'a', body: other }]));
    const rz = await collectSnapshots([z]);
    expect(rz.snapshots).toHaveLength(4);
    expect(rz.snapshots.map((s) => rel(s.source)).sort()).toEqual(['dup.zip!a/b.txt:1', 'dup.zip!a~2:1', 'dup.zip!cap.txt:1', 'dup.zip!cap.txt~2:1']);
  });

  it('item 5: 2,000 central-directory entries sharing one deflate body are refused at once', async () => {
    const p = write('overlap.zip', overlappingZip(2000, 8 << 20));
    const t0 = Date.now();
    const r = await collectSnapshots([p, samplePath('kernel-6.18/idle/combined.txt')]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.snapshots).toHaveLength(1); // the next input
    const rs = reasons(r);
    expect(rs).toEqual([
      'overlap.zip: 1999 member(s) share their stored bytes with another (overlapping entries, a zip bomb\'s shape), such as m00001.log with m00000.log; those are not read',
      'overlap.zip!m00000.log: 1 line(s) longer than 1 MiB cut to their first 1 MiB',
    ]);
  });

  it('item 5: zip members are held to the ratio and total-bytes guard of gzip', async () => {
    const p = write('ratio.zip', await zipOf(Array.from({ length: 6 }, (_, i) => ({ name: `z${i}.log`, body: Buffer.alloc(3 << 20, 0x61) }))));
    const r = await collectSnapshots([p, samplePath('kernel-6.18/idle/combined.txt')], { archiveLimits: { bombFloor: 8 << 20, maxRatio: 100 } });
    expect(r.snapshots).toHaveLength(1);
    expect(reasons(r).join('\n')).toMatch(/^ratio\.zip: decompression bomb: members expand to over \d+ bytes out of \d+ stored \(over 100:1\); not read further$/m);
    expect(reasons(r).filter((x) => x.includes('line(s) longer'))).toHaveLength(2); // z0 and z1 read, z2 stopped
  });

  it('item 18: a file name that is not UTF-8 is read; ELOOP on an explicit input is ELOOP', async () => {
    const d = join(tmp, 'names');
    mkdirSync(d);
    writeFileSync(Buffer.from(`${d}/caf\xe9.log`, 'latin1'), REAL);
    const r = await collectSnapshots([d]);
    expect(reasons(r)).toEqual([]);
    expect(r.snapshots.map((s) => rel(s.source))).toEqual(['names/caf\\xe9.log:1']);
    symlinkSync(join(d, 'self'), join(d, 'self'));
    const l = await collectSnapshots([join(d, 'self')]);
    expect(reasons(l)).toEqual(['names/self: cannot read: ELOOP']);
  });

  it('item 18: EACCES on an explicit input is EACCES (the CLI run as an unprivileged user)', (ctx) => {
    if (process.getuid?.() !== 0) {
      console.log('skipped: the EACCES test runs the CLI as nobody, which needs root');
      ctx.skip();
    }
    // Root reads every file whatever its mode: the CLI runs as nobody (uid/gid 65534).
    const d = mkdtempSync(join(tmpdir(), 'sockscope-eacces-'));
    chmodSync(d, 0o755);
    writeFileSync(join(d, 'mode000.log'), REAL, { mode: 0o000 });
    mkdirSync(join(d, 'private'), { mode: 0o700 });
    writeFileSync(join(d, 'private', 'f.log'), REAL);
    mkdirSync(join(d, 'unlistable'), { mode: 0o311 });
    const idle = samplePath('kernel-6.18/idle/combined.txt');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'export', join(d, 'mode000.log'), join(d, 'private/f.log'), join(d, 'unlistable'), idle], {
      uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.stderr.replaceAll(d + '/', '').split('\n').filter((l) => !l.includes('file(s),'))).toEqual([
      "sockscope: mode000.log: read failed: EACCES: permission denied, open 'mode000.log'",
      'sockscope: private/f.log: cannot read: EACCES',
      'sockscope: unlistable: cannot list: EACCES',
      '',
    ]);
    expect(r.stdout.trim().split('\n')).toHaveLength(2); // the header and the one readable input's row
    expect(r.status).toBe(2); // inputs named on the command line could not be read
  });

  it('item 2: files this run writes are not read in a walk', async () => {
    const d = join(tmp, 'outdir');
    mkdirSync(d);
    writeFileSync(join(d, 'a.txt'), REAL);
    writeFileSync(join(d, 'out.csv'), REAL);
    const items = [];
    for await (const x of expandInputs([d], { exclude: [join(d, 'out.csv')] })) items.push(isProblem(x) ? `${rel(x.source)}: ${x.reason}` : rel(x.name));
    expect(items).toEqual(['outdir/a.txt', 'outdir/out.csv: this run writes this file (an output); not read']);
  });
});

/** A zip whose central directory lists `n` entries that all point at one local header and deflate body. */
function overlappingZip(n: number, size: number): Buffer {
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
  const cds: Buffer[] = [];
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
    cd.writeUInt32LE(0, 42);
    cds.push(cd, name);
  }
  const cdBuf = Buffer.concat(cds);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(n, 8);
  eocd.writeUInt16LE(n, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(head.length, 16);
  return Buffer.concat([head, cdBuf, eocd]);
}
