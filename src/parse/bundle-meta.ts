/**
 * Small facts that support bundles keep beside the captures: host names,
 * capture times. Pure functions of the files' text.
 */

/** First non-empty line, trimmed (`hostname` files). */
export function firstLine(text: string): string | undefined {
  for (const l of text.split('\n')) {
    const t = l.trim();
    if (t) return t;
  }
  return undefined;
}

/**
 * sos `sos_reports/manifest.json`: the start time of the command whose output
 * is `filepath` (sos 4.x records `start_time` per command as epoch seconds).
 * Returns epoch seconds, or undefined when the manifest does not say.
 */
export function sosCommandStart(manifestText: string, filepath: string): number | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(manifestText);
  } catch {
    return undefined;
  }
  let found: number | undefined;
  const visit = (x: unknown): void => {
    if (found !== undefined || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    const o = x as Record<string, unknown>;
    const fp = o.filepath;
    if (typeof fp === 'string' && (fp === filepath || fp.endsWith(`/${filepath}`))) {
      const st = o.start_time;
      if (typeof st === 'number' && Number.isFinite(st)) {
        found = st;
        return;
      }
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(doc);
  return found;
}

/**
 * A supportconfig text file: the output of one command, from blocks headed
 * `#==[ Command ]=====#` then `# /bin/date`.
 */
export function supportconfigCommand(text: string, command: RegExp): string | undefined {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('#==[')) continue;
    const cmd = lines[i + 1]!.replace(/^#\s*/, '');
    if (!command.test(cmd)) continue;
    const out: string[] = [];
    for (let j = i + 2; j < lines.length && !lines[j]!.startsWith('#==['); j++) out.push(lines[j]!);
    return out.join('\n').trim();
  }
  return undefined;
}
