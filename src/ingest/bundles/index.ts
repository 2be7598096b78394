import type { TimeOptions } from '../../parse/time.js';
import type { Tree } from '../tree.js';
import type { BundleItems } from './common.js';
import { isSosreport, sosreport, sosreportSkips } from './sosreport.js';
import { isSupportconfig, supportconfig, supportconfigSkips } from './supportconfig.js';
import { isLooseMoment, looseMoment } from './loose.js';

/**
 * Support-bundle recognizers, tried on every directory (on disk or in an
 * archive) before it is walked as plain files. Each is chosen by layout.
 */
const RECOGNIZERS: {
  detect(tree: Tree, dir: string): Promise<boolean>;
  items(tree: Tree, dir: string, opts: TimeOptions): BundleItems;
  /**
   * Members of the bundle (path relative to its root, size) that it never reads: in an
   * archive they are passed over by their size, never held or read (a sosreport's
   * var/log/messages can be hundreds of MB).
   */
  skips(rel: string, size: number): boolean;
}[] = [
  { detect: isSosreport, items: sosreport, skips: sosreportSkips },
  { detect: isSupportconfig, items: supportconfig, skips: supportconfigSkips },
  // Loose per-command files of one moment read every file of their directory.
  { detect: isLooseMoment, items: looseMoment, skips: () => false },
];

export async function recognizeBundle(tree: Tree, dir: string, opts: TimeOptions = {}): Promise<BundleItems | undefined> {
  for (const r of RECOGNIZERS) if (await r.detect(tree, dir)) return r.items(tree, dir, opts);
  return undefined;
}

/** When `dir` of a (partly read) tree is a bundle: what that bundle never reads. */
export async function bundleSkips(tree: Tree, dir: string): Promise<((rel: string, size: number) => boolean) | undefined> {
  for (const r of RECOGNIZERS) if (await r.detect(tree, dir)) return r.skips;
  return undefined;
}
