import type { Argv } from 'yargs';

/**
 * The help's layout, where yargs' own does not serve (issue 14.4):
 * - examples: yargs puts the command in a column of at most half the width and wraps it
 *   inside the column, in the middle of a command (a copy of it would not run). Here each
 *   example is its command on a line of its own, never broken, and its description below;
 * - positionals: a command's `<inputs..>` shows `[required] [default: []]`, which the usage
 *   line already says (`<...>` is required, `..` one or more). It shows its type only.
 * The man page (src/cli/man.ts) is made from this help.
 */
interface UsageInternals {
  example(cmd: string, description: string): unknown;
  epilog(text: string): unknown;
  reset(localLookup: unknown): unknown;
  help(): string;
  getWrap(): number | null;
}

export function layoutHelp<T>(parser: Argv<T>): Argv<T> {
  const usage = (parser as unknown as { getInternalMethods(): { getUsageInstance(): UsageInternals } }).getInternalMethods().getUsageInstance();
  // Examples and epilogue are kept here, not by yargs, and written after the rest.
  let examples: [string, string][] = [];
  let epilogs: string[] = [];
  const reset = usage.reset.bind(usage);
  const help = usage.help.bind(usage);
  usage.reset = (localLookup) => {
    examples = [];
    epilogs = [];
    return reset(localLookup);
  };
  usage.example = (cmd, description) => examples.push([cmd, description]);
  usage.epilog = (text) => epilogs.push(text);
  let made: string | undefined;
  usage.help = () => {
    const text = help();
    // yargs may hand back a help it cached, made here already.
    if (text === made) return text;
    const wrap = usage.getWrap();
    made = tidyPositionals(text);
    if (examples.length) made += `\n\nExamples:\n${examples.map(([c, d]) => renderExample(c, d, wrap)).join('\n')}`;
    for (const e of epilogs) made += `\n\n${wrapWords(e, wrap === null ? Infinity : wrap).join('\n')}`;
    return made;
  };
  return parser;
}

/** `[array] [required] [default: []]` of a positional: its type only. */
function tidyPositionals(text: string): string {
  // Padded to the same length: yargs right-aligns these, the type stays where it was.
  return text.replace(/(\[array\]|\[string\]) \[required\](?: \[default: \[\]\])?/g, (m, type: string) => type.padStart(m.length));
}

function renderExample(cmd: string, description: string, wrap: number | null): string {
  const line = `  ${cmd.replace(/\$0/g, 'sockscope')}`;
  if (!description) return line;
  return `${line}\n${wrapWords(description, wrap === null ? Infinity : wrap - 6)
    .map((l) => `      ${l}`)
    .join('\n')}`;
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur ? `${cur} ${word}` : word;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}
