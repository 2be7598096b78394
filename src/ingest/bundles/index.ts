import type { TimeOptions } from '../../segment/time.js';
import type { Tree } from '../tree.js';
import type { BundleItems } from './common.js';
import { isSosreport, sosreport } from './sosreport.js';
import { isSupportconfig, supportconfig } from './supportconfig.js';

/**
 * Support-bundle recognizers, tried on every directory (on disk or in an
 * archive) before it is walked as plain files. Each is chosen by layout.
 */
const RECOGNIZERS: { detect(tree: Tree, dir: string): Promise<boolean>; items(tree: Tree, dir: string, opts: TimeOptions): BundleItems }[] = [
  { detect: isSosreport, items: sosreport },
  { detect: isSupportconfig, items: supportconfig },
];

export async function recognizeBundle(tree: Tree, dir: string, opts: TimeOptions = {}): Promise<BundleItems | undefined> {
  for (const r of RECOGNIZERS) if (await r.detect(tree, dir)) return r.items(tree, dir, opts);
  return undefined;
}
