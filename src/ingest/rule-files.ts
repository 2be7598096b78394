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
