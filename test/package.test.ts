import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { cli } from './cli-run.js';

/** What ships and what the repository says of itself (issue 14.11, 14.12). */
describe('package and self-contained text', () => {
  it('the JSON schema has a real $id, and a default Ajv 2020 instance compiles it without a warning and validates a report', async () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8')) as { $id: string; description: string };
    expect(schema.$id).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]+\//);
    expect(schema.$id).not.toMatch(/\.invalid\//);
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const warnings: unknown[] = [];
    const ajv = new Ajv2020({ logger: { log: () => undefined, warn: (...a: unknown[]) => warnings.push(a), error: (...a: unknown[]) => warnings.push(a) } });
    const validate = ajv.compile(schema);
    expect(warnings).toEqual([]);
    const r = await cli(['analyze', '--format', 'json', '-q', 'samples/kernel-6.18/unconnected-leak/combined.txt']);
    expect([validate(JSON.parse(r.out)), validate.errors ?? []]).toEqual([true, []]);
  });

  it('no text of the repository names a document outside it or a path of the machine it was made on', () => {
    // The design document the project started from, by section (kept out of this file's own text too).
    const OUTSIDE_DOC = new RegExp(['DESIGN', '(?:\u00a7|\\\\u00a7)'].join(' '));
    const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    // Captured data is kept byte for byte (a capture log may show where it ran); the world fixtures are others' files.
    const captured = (f: string) => f.startsWith('test/fixtures/world/') || /\.(log|txt|jsonl)$/.test(f) || /\/snapshots\//.test(f) || f.startsWith('test/fixtures/');
    const bad: string[] = [];
    for (const f of files) {
      if (captured(f) || !existsSync(join(ROOT, f))) continue;
      const t = readFileSync(join(ROOT, f));
      if (t.includes(0)) continue; // binary
      const s = t.toString('utf8');
      if (/\/work\/(shared|main|wt)\b/.test(s)) bad.push(`${f}: /work/ path`);
      if (OUTSIDE_DOC.test(s)) bad.push(`${f}: names the first design document`);
    }
    expect(bad).toEqual([]);
  });

  it('LICENSE ships; source maps do not', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('LICENSE');
    expect(pkg.files).toContain('!dist/**/*.map');
  });
});
