import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TextFile {
  file: string;
  text: string;
}

/** The built-in rules folder shipped with the package (`rules/` at the package root). */
export const BUILTIN_RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');

/** Every `*.yaml`/`*.yml` file of a rules folder, sorted by name. */
export async function readRuleFiles(dir: string): Promise<TextFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(names.map(async (n) => ({ file: join(dir, n), text: await readFile(join(dir, n), 'utf8') })));
}

/** The rule tests of a rules folder: every `*.yaml`/`*.yml` of its `tests/` folder, sorted by name (none when it has no such folder). */
export async function readRuleTestFiles(rulesDir: string): Promise<TextFile[]> {
  try {
    return await readRuleFiles(join(rulesDir, 'tests'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
