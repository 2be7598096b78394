import type { InputFormat } from './types.js';

/**
 * `sadf -d` rows of `sar -n SOCK` and `SOCK6` (one row a moment; the segmenter
 * holds the rows of one time to merge them). Read by the normalizer for now.
 */
export const sarSock: InputFormat = { kind: 'sar-sock', label: 'sar -n SOCK', priority: 1 };
export const sarSock6: InputFormat = { kind: 'sar-sock6', label: 'sar -n SOCK6', priority: 1 };
