import { type Problem } from '../problem.js';
import type { Line } from '../types.js';

/**
 * The format registry's contract (docs/formats.md, "What sockscope reads").
 *
 * One module per input format, under `src/parse/formats/`, exports an
 * `InputFormat` and is listed once in `index.ts`. The segmenter asks the
 * registered formats whether a line starts or continues their output, the
 * bundle readers ask which file names hold them, and the normalizer asks the
 * format to read a section and say what it gives the snapshot. Adding a format
 * is one module (and its real fixtures): neither the segmenter nor the
 * normalizer changes.
 */

/** A value a format gives the snapshot: a field of `normalize/fields.ts`, by name. */
export interface Contribution {
  /** Snapshot field (`tcp_tw`, `tcp4_inuse`, ...). A name that is no field goes to `other_keys`. */
  field: string;
  value: number;
  /** Line the value was read from (for `file:line` in diagnostics). */
  line: number;
}

/** What reading one section gave. */
export interface FormatOutput {
  values: Contribution[];
  /** Keys read but given no field (`TCP.pressure`, `UNKNOWN.inuse`): the `other_keys` column. */
  otherKeys?: Record<string, number>;
  /**
   * Problems with their line. An `error` makes the block a reported skip (its
   * message is the skip's reason, so it names the format); a `warning` becomes a
   * `parse` diagnostic of the snapshot.
   */
  issues: Problem[];
  /** Checks inside this one output that failed (`derive` diagnostics: a row total that is not its parts). */
  checks?: Problem[];
  /**
   * Values the output printed that the normalizer derives itself and compares
   * (`tcp_closed` of `ss -s`): used when it cannot derive them, reported when they differ.
   */
  printed?: Record<string, { value: number; line: number }>;
}

/** How a format's output is found in text. Both tests get the line trimmed, except `continues` (raw). */
export interface LineRecognizer {
  /** Does this line start an output of the format (a header, a first line)? */
  starts(t: string): boolean;
  /**
   * With a section of this format open (its lines so far given), does this raw
   * line belong to it? A line that does not ends the section and is read as any
   * other line. Without this test a section is the one starting line.
   */
  continues?(raw: string, lines: readonly Line[]): boolean;
  /**
   * Blank lines do not end the section (they are counted as blank, not kept in it): the next
   * non-blank line is asked `continues`. For outputs pasted with a blank line between their
   * lines, as a Markdown rendering makes of a ticket.
   */
  blankInside?: boolean;
}

export interface InputFormat {
  /** Section kind, and the name the snapshot's `formats` column lists (`sockstat`, `ss`). */
  readonly kind: string;
  /** How messages name it (`ss -s`, `sar -n SOCK`). */
  readonly label: string;
  /**
   * When two formats give one field, the lower priority is kept and the other
   * is compared with it: sockstat 0, `ss -s` and sar 1, snmp 2, listings 3.
   */
  readonly priority: number;
  /**
   * Paths in known bundle layouts whose whole content is this format
   * (`proc/net/sockstat`, `sos_commands/networking/ss_-s`), matched against the
   * path inside the bundle; and base names people give loose per-command files
   * (`sockstat`, `ss-s`).
   */
  readonly files?: readonly RegExp[];
  /**
   * Recognition from content, for formats the segmenter does not know itself.
   * The built-in ones (sockstat, sockstat6, `ss -s`, snmp, sysctl, listings,
   * `sadf -d`) are classified by `segment/classify.ts` for speed and leave this out.
   */
  readonly lines?: LineRecognizer;
  /**
   * Read one section (its lines, with their numbers). Absent for formats the
   * normalizer still reads itself (socket listings, `sadf -d` rows: their owners move them here).
   */
  read?(lines: readonly Line[]): FormatOutput;
}
