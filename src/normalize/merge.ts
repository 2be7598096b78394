import type { Block, SectionKind } from '../segment/types.js';

/**
 * What the merger needs of a block read another way than by the Segmenter (the byte-level
 * path's): its moment, the kinds of its sections, and the general path's Block for it.
 */
/** When and where a block was captured. */
export interface Moment {
  /** Epoch ms (NaN or undefined: no time, which merges with nothing). */
  timeMs: number | undefined;
  host?: string | undefined;
  namespace?: string | undefined;
}

export interface OtherBlocks<F> {
  is(b: Block | F): b is F;
  /** The block's moment (an object it holds: nothing is made per call). */
  moment(b: F): Moment;
  kinds: readonly SectionKind[];
  toBlock(b: F): Block;
}

/**
 * Blocks of one moment (the same host and time, no format twice but listings) become one:
 * `T.sockstat`, `T.sockstat6` and `T.ss-s` files, or `date; cat sockstat;
 * date; ss -s` in the same second. Holds at most one block. A block read another way
 * (`other`) that must merge is first made a general Block.
 */
export class BlockMerger<F = never> {
  private pending: Block | F | undefined;

  constructor(
    private readonly emit: (b: Block | F) => void,
    private readonly other?: OtherBlocks<F>,
  ) {}

  push(b: Block | F): void {
    const p = this.pending;
    if (p && this.canMerge(p, b)) {
      const into = this.block(p);
      const add = this.block(b);
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

  private isOther(b: Block | F): b is F {
    return this.other !== undefined && this.other.is(b);
  }

  private block(b: Block | F): Block {
    return this.isOther(b) ? this.other!.toBlock(b) : (b as Block);
  }

  private canMerge(a: Block | F, b: Block | F): boolean {
    const o = this.other;
    const oa = o !== undefined && o.is(a);
    const ob = o !== undefined && o.is(b);
    if (oa && ob) return false; // the same sections twice
    const ma: Moment | Block = oa ? o!.moment(a as F) : (a as Block);
    const mb: Moment | Block = ob ? o!.moment(b as F) : (b as Block);
    const ta = oa ? (ma as Moment).timeMs : (a as Block).time?.ms;
    const tb = ob ? (mb as Moment).timeMs : (b as Block).time?.ms;
    if (ta === undefined || tb === undefined || ta !== tb) return false;
    if (ma.host !== mb.host || ma.namespace !== mb.namespace) return false;
    const ka = oa ? o!.kinds : (a as Block).sections.map((s) => s.kind);
    const kb = ob ? o!.kinds : (b as Block).sections.map((s) => s.kind);
    if (ka.length === 0 || kb.length === 0) return false;
    // Several listings of one moment belong together (a sosreport keeps ss, netstat and lsof).
    return !kb.some((k) => k !== 'listing' && ka.includes(k));
  }
}
