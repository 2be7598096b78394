import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-run.js';
import { ROOT } from './helpers.js';

/**
 * README's example is what a new user runs first: the command it shows, run from the
 * repository, must print every line the README quotes (the quoted block ends with `...`).
 */
describe("README's example", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /^## Example\n+```\n\$ npx sockscope (.+)\n```\n[^`]*```\n([\s\S]*?)```/m.exec(readme);

  it('prints the lines README quotes', async () => {
    expect(m).not.toBeNull();
    const args = m![1]!.split(' ');
    const quoted = m![2]!.split('\n').filter((l) => l !== '' && l !== '...');
    expect(quoted.length).toBeGreaterThanOrEqual(3);
    const prev = process.cwd();
    process.chdir(ROOT);
    try {
      const r = await cli(args);
      expect(r.code).toBe(0);
      const lines = r.out.split('\n');
      for (const q of quoted) expect(lines).toContain(q);
    } finally {
      process.chdir(prev);
    }
  });
});

/** docs/cli.md quotes a whole markdown report after "Example: `npx sockscope ...`": it must be the report that command prints. */
describe("docs/cli.md's markdown example", () => {
  const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
  const m = /^Example: `npx sockscope (analyze --format markdown [^`]+)`\n\n((?:>.*\n)+)/m.exec(doc);

  it('is the report the command prints, whole', async () => {
    expect(m).not.toBeNull();
    const quoted = m![2]!.split('\n').map((l) => l.replace(/^> ?/, '')).join('\n').trim();
    const prev = process.cwd();
    process.chdir(ROOT);
    try {
      const r = await cli(m![1]!.split(' '));
      expect(r.code).toBe(0);
      expect(quoted).toBe(r.out.trim());
    } finally {
      process.chdir(prev);
    }
  });
});
