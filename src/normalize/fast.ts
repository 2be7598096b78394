import { Segmenter } from '../segment/segmenter.js';
import type { FastBlock } from '../segment/fast.js';
import type { TimeOptions } from '../parse/time.js';
import type { Block } from '../segment/types.js';
import { NUMERIC_FIELDS } from './fields.js';
import { formatList, NO_DIAGNOSTICS, NO_KEYS } from './normalize.js';
import type { Snapshot, Values } from './types.js';

/** The formats of every fast block, as normalize lists them (one shared, frozen array). */
export const FAST_FORMATS: string[] = formatList(0b111);

/** Where normalize puts tcp_closed and tcp_unhashed: after the fields read (it derives them). */
const READ_ORDER = NUMERIC_FIELDS.map((f, i) => [f, i] as const).filter(([f]) => f !== 'tcp_closed' && f !== 'tcp_unhashed');
const CLOSED = NUMERIC_FIELDS.indexOf('tcp_closed');
const UNHASHED = NUMERIC_FIELDS.indexOf('tcp_unhashed');

/**
 * A fast block as the snapshot normalizeBlock makes of the same lines (the same
 * keys in the same order: tests compare the two). Fast blocks agree in every
 * shared value, so there is no diagnostic.
 */
export function fastSnapshot(f: FastBlock): Snapshot {
  const values: Values = {};
  const v = f.values;
  for (const [field, i] of READ_ORDER) values[field] = v[i]!;
  values.tcp_closed = v[CLOSED]!;
  values.tcp_unhashed = v[UNHASHED]!;
  const s: Snapshot = {
    source: `${f.file}:${f.line}`,
    sources: [`${f.file}:${f.sockstatLine}`, `${f.file}:${f.sockstat6Line}`, `${f.file}:${f.ssLine}`],
    formats: FAST_FORMATS,
    values,
    otherKeys: NO_KEYS,
    diagnostics: NO_DIAGNOSTICS,
  };
  if (f.host !== undefined) s.host = f.host;
  if (f.namespace !== undefined) s.namespace = f.namespace;
  s.time = f.time.iso;
  s.timeMs = f.time.ms;
  return s;
}

/**
 * The general path's block for the same lines (to merge it with another capture
 * of the same moment): its bytes read again by the Segmenter.
 */
export function fastToBlock(f: FastBlock, opts: TimeOptions): Block {
  const blocks: Block[] = [];
  const so: ConstructorParameters<typeof Segmenter>[1] = { firstLine: f.line - 1 };
  if (opts.tz) so.tz = opts.tz;
  if (f.host !== undefined) so.host = f.host;
  if (f.namespace !== undefined) so.namespace = f.namespace;
  const seg = new Segmenter(f.file, so, (b) => blocks.push(b));
  const text = f.buf.toString('utf8', f.start, f.end);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) seg.push(l.endsWith('\r') ? l.slice(0, -1) : l);
  seg.end();
  if (blocks.length !== 1) throw new Error(`internal: fast block ${f.file}:${f.line} re-read as ${blocks.length} blocks`);
  return blocks[0]!;
}
