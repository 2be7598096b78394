import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export default function setup(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], {
    stdio: 'inherit',
  });
  // The bin and the export worker are bundled (bundle.mjs), as npm run build leaves them.
  execFileSync(process.execPath, [join(ROOT, 'bundle.mjs')], { stdio: 'inherit' });
}
