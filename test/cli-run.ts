import { Readable, Writable } from 'node:stream';
import { main } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/io.js';

/** A stream that keeps what is written to it. */
export function collector(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => Buffer.concat(chunks).toString('utf8');
  return w;
}

/** The CLI run in this process (src/cli/cli.ts main), with its own stdin, stdout, stderr and env. */
export async function cli(args: string[], o: { input?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}) {
  const stdout = collector();
  const stderr = collector();
  if (o.tty) Object.assign(stdout, { isTTY: true, columns: 100 });
  const io: CliIo = { stdout, stderr, stdin: Readable.from(o.input === undefined ? [] : [Buffer.from(o.input)]), env: o.env ?? { NO_COLOR: '1' } };
  const code = await main(args, io);
  return { code, out: stdout.text(), err: stderr.text() };
}
