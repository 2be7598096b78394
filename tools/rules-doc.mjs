// `npm run docs:rules`: rewrite the rule reference of docs/rules.md (below its marker line)
// from rules/*.yaml. Runs on the build (dist/), which the npm script makes first.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadRules } from '../dist/analyze.js';
import { rulesDoc } from '../dist/report/rules-doc.js';

const path = new URL('../docs/rules.md', import.meta.url);
const set = await loadRules();
if (set.errors.length) {
  process.stderr.write(`${set.errors.join('\n')}\n`);
  process.exit(2);
}
const before = readFileSync(path, 'utf8');
const after = rulesDoc(before, set.rules);
writeFileSync(path, after);
process.stdout.write(`docs/rules.md: ${set.rules.length} rule(s), ${before === after ? 'unchanged' : 'rewritten'}\n`);
