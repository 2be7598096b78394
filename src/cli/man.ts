import { Readable, Writable } from 'node:stream';
import type { CliIo } from './io.js';

/**
 * The man page, man/sockscope.1, made from the help of every command (issue 14.4): the build
 * writes it (tools/man.mjs), test/help.test.ts checks it is the help of this code. The help is
 * taken unwrapped (one line per option) and turned into roff: groff does the filling.
 */
type Main = (argv: string[], io: CliIo) => Promise<number>;

interface Help {
  usage: string;
  description: string[];
  sections: { title: string; lines: string[] }[];
  epilogue: string[];
}

async function helpOf(main: Main, words: string[]): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  const code = await main([...words, '--help'], { stdout, stderr, stdin: Readable.from([]), env: { NO_COLOR: '1' }, helpWidth: null });
  if (code !== 0) throw new Error(`sockscope ${words.join(' ')} --help: exit ${code}`);
  return text.trimEnd();
}

function parseHelp(text: string): Help {
  const blocks = text.split(/\n\n+/);
  const help: Help = { usage: blocks.shift()!.trim(), description: [], sections: [], epilogue: [] };
  for (const b of blocks) {
    const lines = b.split('\n');
    const head = /^([A-Z][a-z]+):$/.exec(lines[0]!);
    if (head) help.sections.push({ title: head[1]!, lines: lines.slice(1) });
    else if (help.sections.length) help.epilogue.push(b);
    else help.description.push(b);
  }
  return help;
}

/** roff text: backslashes, hyphens (minus signs, so options copy right) and control characters at a line start. */
function esc(s: string): string {
  const t = s.replace(/\\/g, '\\e').replace(/-/g, '\\-');
  return /^[.']/.test(t) ? `\\&${t}` : t;
}

/** A help line `  name  description  [type] [default: x]`, unwrapped. */
function item(line: string): { name: string; text: string } {
  const [name, ...rest] = line.trim().split(/ {2,}/);
  return { name: name!, text: rest.join(' ') };
}

function section(s: { title: string; lines: string[] }): string[] {
  const out: string[] = [];
  if (s.title === 'Examples') {
    for (let k = 0; k < s.lines.length; k++) {
      const cmd = s.lines[k]!.trim();
      const desc = s.lines[k + 1]?.startsWith('      ') ? s.lines[++k]!.trim() : '';
      out.push('.TP', `\\fB${esc(cmd)}\\fR`, ...(desc ? [esc(desc)] : ['\\&']));
    }
    return out;
  }
  for (const line of s.lines) {
    const { name, text } = item(line);
    // A command or option name in bold, its <arguments> in italics.
    const tag = esc(name).replace(/(\S+)/g, (w) => (/^[<[]/.test(w) ? `\\fI${w}\\fR` : `\\fB${w}\\fR`));
    out.push('.TP', tag, text ? esc(text) : '\\&');
  }
  return out;
}

export async function manPage(main: Main, version: string): Promise<string> {
  const top = parseHelp(await helpOf(main, []));
  const out: string[] = [
    '.\\" Made from `sockscope --help` and the help of every command by src/cli/man.ts (npm run build). Do not edit.',
    `.TH SOCKSCOPE 1 "" "sockscope ${version}" "User Commands"`,
    '.SH NAME',
    'sockscope \\- offline analyzer for Linux socket statistics',
    '.SH SYNOPSIS',
    esc(top.usage),
    '.SH DESCRIPTION',
    ...top.description.flatMap((d, k) => (k ? ['.PP', esc(d)] : [esc(d)])),
  ];
  const commands: string[][] = [];
  for (const s of top.sections) {
    out.push(`.SH ${s.title.toUpperCase()}`, ...section(s));
    if (s.title === 'Commands') commands.push(...commandWords(s.lines));
  }
  for (const e of top.epilogue) out.push(/^Exit codes:/.test(e) ? '.SH "EXIT STATUS"' : '.PP', esc(e));
  // Each command's own help; a command with commands of its own (rules) is followed down.
  while (commands.length) {
    const words = commands.shift()!;
    const h = parseHelp(await helpOf(main, words));
    out.push(`.SH "SOCKSCOPE ${words.join(' ').toUpperCase()}"`, `\\fB${esc(h.usage)}\\fR`, ...h.description.flatMap((d) => ['.PP', esc(d)]));
    for (const s of h.sections) {
      // Options every command shares (--help, --version, --debug) are under OPTIONS above.
      const lines = s.title === 'Options' ? s.lines.filter((l) => !/^\s+(-h, )?--(help|version|debug)\s/.test(l)) : s.lines;
      if (s.title === 'Commands') commands.unshift(...commandWords(s.lines));
      if (lines.length) out.push(`.SS ${s.title}`, ...section({ ...s, lines }));
    }
    for (const e of h.epilogue) out.push('.PP', esc(e));
  }
  out.push('.SH "SEE ALSO"', '\\fBss\\fR(8), \\fBproc\\fR(5)');
  return `${out.join('\n')}\n`;
}

/** The words of each command a Commands section lists (`sockscope rules show <id>` → rules show), but completion, whose help is a script. */
function commandWords(lines: string[]): string[][] {
  return lines
    .map((l) => item(l).name.split(' ').slice(1).filter((w) => !/^[<[]/.test(w)))
    .filter((w) => w.length > 0 && w[0] !== 'completion');
}
