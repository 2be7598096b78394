/**
 * Text from the inputs (host names from bundles, file names, process names from `ss -p`,
 * `--host`) made safe for the report that carries it. A name can hold terminal escapes,
 * newlines, HTML or markdown: in a report it is shown, never obeyed.
 */

/** C0 controls, DEL and C1 controls (U+0080–U+009F). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const visible = (c: string): string => {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
};

/**
 * One line of plain text: every control character (ESC, CR, newline, C1 CSI...) becomes a
 * visible escape (`\x1b`, `\n`), so a name cannot move the cursor, change the title, clear
 * the screen or start a line that looks like part of the report.
 */
export function oneLine(s: string): string {
  return s.replace(CONTROLS, visible);
}

/** Text whose line breaks are its own (a rule's remediation): newlines stay, other controls are escaped. */
export function lines(s: string): string {
  return s.replace(CONTROLS_BUT_NEWLINE, visible);
}

/**
 * Inline markdown text (GitHub, GitLab, CommonMark): shown as written. `<` `>` `&` become
 * entities (no HTML, no autolink), the characters of emphasis, links, images, code, tables,
 * strikethrough and math are backslash-escaped, `scheme://` and `www.` are broken so no
 * autolink forms, and controls (newlines too) become visible escapes.
 */
export function mdText(s: string): string {
  return oneLine(
    s
      .replace(/[\\`*[\]|~$@]/g, (c) => `\\${c}`)
      // `_` inside a word (TCP_CLOSE, tcp_max_orphans) cannot start or end emphasis: left as is.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
      .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
      .replace(/:\/\//g, ':\\/\\/')
      .replace(/\b(www)\./gi, '$1\\.'),
  );
}

/**
 * A markdown code span holding `s` literally: the fence is longer than any run of backticks
 * in it, controls are visible; in a table cell `|` is escaped (GitHub splits table cells
 * before it reads code spans, and drops that backslash).
 */
export function mdCode(s: string, inTable = false): string {
  const t = inTable ? oneLine(s).replace(/\|/g, '\\|') : oneLine(s);
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** A fenced code block around `lines`, its fence longer than any backtick run inside. */
export function mdFence(body: string[], info = ''): string[] {
  const clean = body.map(lines);
  const longest = Math.max(2, ...clean.flatMap((l) => [...l.matchAll(/`{3,}/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${info}`, ...clean, fence];
}

/**
 * Jira wiki markup text: `{ } [ ] | \\ ! #` escaped everywhere (macros, links, table cells,
 * images, lists), the effect markers `* _ + - ^ ~ ?` where they could open or close an effect
 * (not inside a word: tcp-unhashed-sockets reads as is); controls visible.
 */
export function jiraText(s: string): string {
  return oneLine(
    s
      .replace(/[\\{}[\]|!#]/g, (c) => `\\${c}`)
      .replace(/(?<![A-Za-z0-9])[*_+\-^~?]|[*_+\-^~?](?![A-Za-z0-9])/g, (c) => `\\${c}`),
  );
}
