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

  /** Its time (epoch ms). */
  private ms(b: Block | F): number | undefined {
    return this.isOther(b) ? this.other!.moment(b).timeMs : (b as Block).time?.ms;
  }

  /** Its host and namespace: the other reader's own record, or the Block itself (nothing made per call). */
  private at(b: Block | F): Moment | Block {
    return this.isOther(b) ? this.other!.moment(b) : (b as Block);
  }

  private kinds(b: Block | F): readonly SectionKind[] {
    return this.isOther(b) ? this.other!.kinds : (b as Block).sections.map((s) => s.kind);
  }

  private canMerge(a: Block | F, b: Block | F): boolean {
    if (this.isOther(a) && this.isOther(b)) return false; // the same sections twice
    const ta = this.ms(a);
    if (ta === undefined || ta !== this.ms(b)) return false;
    const wa = this.at(a);
    const wb = this.at(b);
    if (wa.host !== wb.host || wa.namespace !== wb.namespace) return false;
    const ka = this.kinds(a);
    const kb = this.kinds(b);
    if (ka.length === 0 || kb.length === 0) return false;
    // Several listings of one moment belong together (a sosreport keeps ss, netstat and lsof).
    return !kb.some((k) => k !== 'listing' && ka.includes(k));
  }
}
