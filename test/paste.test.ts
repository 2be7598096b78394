/**
 * A capture as a ticket brings it: pasted from Windows (CRLF), in a Markdown code block
 * (indented as a whole), double-spaced (a blank line between lines, as some renderings
 * copy), quoted in a mail reply (`> `), or copied from a web page (no-break spaces). Every loose real capture of test/fixtures/world and samples/ must give the
 * same snapshots in each form as printed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectSnapshots } from '../src/pipeline.js';
import { ROOT } from './helpers.js';

/** Loose text captures (not bundle trees, whose layout is their meaning), under 200 kB. */
function captures(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!/^(proc|sos_commands|etc|var|sys|coreos-sosreport-master1|vault|rabbitmq|kubernetes|scenarios|bundles|fleet|sosreport-.*|scc_.*)$/.test(e.name)) captures(p, out);
    } else if (!/\.(json|md|sh|py|gz|xz|zip|tar|tgz|txz|parquet)$/.test(e.name) && statSync(p).size < 200_000) out.push(p);
  }
  return out;
}

const FORMS: [string, (t: string) => string][] = [
  ['CRLF', (t) => t.replace(/\n/g, '\r\n')],
  ['indented by four spaces', (t) => t.replace(/^(?=.)/gm, '    ')],
  ['double-spaced', (t) => t.split('\n').join('\n\n')],
  ['quoted in a mail reply (> )', (t) => t.replace(/^/gm, '> ')],
  ['copied from a web page (no-break spaces)', (t) => t.replace(/ /g, '\u00a0')],
];

const view = (r: Awaited<ReturnType<typeof collectSnapshots>>) => r.snapshots.map((s) => [s.time, s.host, s.values, s.counters, s.listing]);

describe('captures as tickets bring them', () => {
  const files = [...captures(join(ROOT, 'test/fixtures/world')), ...captures(join(ROOT, 'samples/public')), ...captures(join(ROOT, 'samples/captures/listing-sos')), ...captures(join(ROOT, 'samples/captures/counters'))];

  it(`every loose real capture (${files.length} files) gives the same snapshots pasted with CRLF, indented, double-spaced, mail-quoted or with no-break spaces`, async () => {
    expect(files.length).toBeGreaterThan(40);
    let withSnapshots = 0;
    const differ: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const as = await collectSnapshots(['-'], { stdin: Readable.from([text]) });
      if (as.snapshots.length === 0) continue;
      withSnapshots++;
      for (const [name, form] of FORMS) {
        const got = await collectSnapshots(['-'], { stdin: Readable.from([form(text)]) });
        if (JSON.stringify(view(got)) !== JSON.stringify(view(as))) differ.push(`${relative(ROOT, f)}: ${name}`);
      }
    }
    expect(differ).toEqual([]);
    expect(withSnapshots).toBeGreaterThan(30);
  }, 120_000);
});
