import { isFastBlock, type FastBlock } from '../segment/fast.js';
import type { Block, SectionKind } from '../segment/types.js';

const FAST_KINDS: readonly SectionKind[] = ['sockstat', 'sockstat6', 'ss'];

/**
 * Blocks of one moment (the same host and time, no format twice but listings) become one:
 * `T.sockstat`, `T.sockstat6` and `T.ss-s` files, or `date; cat sockstat;
 * date; ss -s` in the same second. Holds at most one block. A fast block
 * (segment/fast.ts) that must merge is first re-read as a general block.
 */
export class BlockMerger {
  private pending: Block | FastBlock | undefined;

  constructor(
    private readonly emit: (b: Block | FastBlock) => void,
    private readonly toBlock: (f: FastBlock) => Block,
  ) {}

  push(b: Block | FastBlock): void {
    const p = this.pending;
    if (p && canMerge(p, b)) {
      const into = isFastBlock(p) ? this.toBlock(p) : p;
      const add = isFastBlock(b) ? this.toBlock(b) : b;
      into.sections.push(...add.sections);
      into.parts += add.parts;
      this.pending = into;
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

const kinds = (b: Block | FastBlock): readonly SectionKind[] => (isFastBlock(b) ? FAST_KINDS : b.sections.map((s) => s.kind));

function canMerge(a: Block | FastBlock, b: Block | FastBlock): boolean {
  if (!a.time || !b.time || a.time.ms !== b.time.ms) return false;
  if (a.host !== b.host || a.namespace !== b.namespace) return false;
  if (isFastBlock(a) && isFastBlock(b)) return false; // both have sockstat
  const ka = kinds(a);
  const kb = kinds(b);
  if (ka.length === 0 || kb.length === 0) return false;
  // Several listings of one moment belong together (a sosreport keeps ss, netstat and lsof).
  return !kb.some((k) => k !== 'listing' && ka.includes(k));
}
