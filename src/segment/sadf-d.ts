import type { SectionKind } from './types.js';

/**
 * `sadf -d` (sysstat's CSV-like output): one `# hostname;interval;timestamp;...`
 * header per activity, then its rows. sockscope reads the rows of `sar -n SOCK`
 * and `SOCK6`; `sadf -d -- -A` prints every activity, whose other rows are
 * outside lines. The segmenter holds the rows of one (host, time) to merge them.
 */

/** The section kind of an activity's rows, from its header's column names; undefined for other activities. */
export function sadfKind(names: readonly string[]): SectionKind | undefined {
  if (names.includes('tcp6sck')) return 'sar-sock6';
  if (names.includes('totsck')) return 'sar-sock';
  return undefined;
}

/**
 * A row that is a marker, not data: `host;-1;time;LINUX-RESTART\t(2 CPU)` (a
 * reboot in the data file) or `host;-1;time;COM text` (`sadf -C` comments).
 */
export function sadfMarker(fields: readonly string[]): boolean {
  const v = fields[3]?.trimStart() ?? '';
  return fields.length === 4 && (v.startsWith('LINUX-RESTART') || v.startsWith('COM '));
}
