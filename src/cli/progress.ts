/** A progress line on stderr for long runs: files, bytes, rate, ETA. Only on a terminal. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): boolean;
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MB`;
}

function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export class Progress {
  private bytes = 0;
  private files = 0;
  private last = 0;
  private readonly start: number;
  private shown = false;

  constructor(
    private readonly out: ProgressStream,
    /** Total bytes of the inputs as stored, when known (for the bar and the ETA). */
    private readonly total: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.start = now();
  }

  /** Progress is drawn only on a terminal, and never when asked to be quiet. */
  static enabled(out: ProgressStream, quiet: boolean | undefined, progress: boolean | undefined): boolean {
    return out.isTTY === true && !quiet && progress !== false;
  }

  addBytes(n: number): void {
    this.bytes += n;
    this.draw(false);
  }

  fileDone(): void {
    this.files++;
    this.draw(false);
  }

  /** The line as it is drawn (without the carriage return). */
  line(): string {
    const secs = Math.max((this.now() - this.start) / 1000, 0.001);
    const rate = this.bytes / secs;
    let bar = '';
    let eta = '';
    if (this.total) {
      const f = Math.min(1, this.bytes / this.total);
      const w = 20;
      bar = `[${'#'.repeat(Math.round(f * w)).padEnd(w, '.')}] ${Math.round(f * 100)}% `;
      eta = ` ETA ${clock((this.total - this.bytes) / rate)}`;
    }
    return `${bar}${this.files} file(s), ${mb(this.bytes)}${this.total ? ` of ${mb(this.total)}` : ''}, ${mb(rate)}/s${eta}`;
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.last < 100) return;
    this.last = t;
    this.shown = true;
    // A terminal that reports no size (columns 0, e.g. under script(1)) gets 80 columns.
    const columns = this.out.columns && this.out.columns > 0 ? this.out.columns : 80;
    this.out.write(`\r${this.line().slice(0, columns - 1)}\u001b[K`);
  }

  /** Clear the line before the summary is printed. */
  done(): void {
    if (this.shown) this.out.write('\r\u001b[K');
  }
}
