import type { Block } from '../segment/types.js';

/**
 * Blocks of one moment (the same host and time, no format twice) become one:
 * `T.sockstat`, `T.sockstat6` and `T.ss-s` files, or `date; cat sockstat;
 * date; ss -s` in the same second. Holds at most one block.
 */
export class BlockMerger {
  private pending: Block | undefined;

  constructor(private readonly emit: (b: Block) => void) {}

  push(b: Block): void {
    const p = this.pending;
    if (p && canMerge(p, b)) {
      p.sections.push(...b.sections);
      p.parts += b.parts;
      return;
    }
    this.flush();
    this.pending = b;
  }

  flush(): void {
    if (this.pending) this.emit(this.pending);
    this.pending = undefined;
  }
}

function canMerge(a: Block, b: Block): boolean {
  if (!a.time || !b.time || a.time.ms !== b.time.ms) return false;
  if (a.host !== b.host) return false;
  if (a.sections.length === 0 || b.sections.length === 0) return false;
  return !b.sections.some((s) => a.sections.some((t) => t.kind === s.kind));
}
