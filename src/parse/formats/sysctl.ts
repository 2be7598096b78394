import type { InputFormat } from './types.js';

/**
 * `sysctl -a` output and `proc/sys/net/ipv4/<name>` files: the kernel limits the
 * rules compare with (`parse/sysctl.ts`). They give no snapshot values: the
 * segmenter hands their lines to the limits sink, so this module has no `read`.
 */
export const sysctl: InputFormat = {
  kind: 'sysctl',
  label: 'sysctl',
  priority: 9,
  files: [/(^|\/)sos_commands\/kernel\/sysctl_-a$/, /(^|\/)sysctl\.txt$/, /^sysctl(-a|_-a)?(\.txt|\.out)?$/i],
};
