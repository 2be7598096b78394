/**
 * How bad a problem is: `error`, something was not read (an input, a block, a value, a
 * timestamp); `warning`, it was read, with something the reader should know.
 */
export type Severity = 'error' | 'warning';

/**
 * Every failure, from a parser's line to an input that could not be opened, has this one
 * shape: where, why, and how bad. `source` is `file:line` (a block, a value), a file or an
 * input as given; a parser sees only its lines, so its problems name the line number alone
 * (`12`), and the normalizer, which knows the file, makes it `file:12` (`locate`).
 */
export interface Problem {
  source: string;
  reason: string;
  severity: Severity;
}

export const problem = (source: string, reason: string, severity: Severity = 'error'): Problem => ({ source, reason, severity });

/** A parser's problem (source: a line number) placed in its file. */
export const locate = (p: Problem, file: string): Problem => ({ ...p, source: `${file}:${p.source}` });

/** Is a result a Problem (results are `T | Problem`)? */
export function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && typeof (x as Problem).reason === 'string' && typeof (x as Problem).severity === 'string' && typeof (x as Problem).source === 'string';
}

/** A parser's problem at a line of its input (the file is added by whoever knows it: `locate`). */
export const lineProblem = (line: number, reason: string, severity: Severity = 'error'): Problem => ({ source: String(line), reason, severity });
