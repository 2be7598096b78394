import type { Line } from '../parse/types.js';
import type { Timestamp } from '../parse/time.js';

/**
 * A section's format: the `kind` of a format in the registry (`parse/formats/`):
 * 'sockstat' | 'sockstat6' | 'ss' | 'snmp' | 'sar-sock' | 'sar-sock6' | 'listing', and those registered since.
 */
export type SectionKind = string;

/** Consecutive lines of one format. */
export interface Section {
  kind: SectionKind;
  /** File the section was read from (blocks of one moment may merge across files). */
  file: string;
  /** First line number of the section. */
  line: number;
  lines: Line[];
}

/** One capture: what was read at one moment (a timestamp and the sections after it). */
export interface Block {
  /** Display name of the file (`path`, `archive!inner`, `-`). */
  file: string;
  /** Line where the block starts (its timestamp line, else its first section). */
  line: number;
  time?: Timestamp;
  /** The block has a timestamp that could not be placed in time. */
  timeError?: string;
  /** Where the time came from when it is a guess (an archive member's mtime). */
  timeNote?: string;
  host?: string;
  /** Network namespace the capture was taken in, when the inputs say (supportconfig network-<NS>.txt). */
  namespace?: string;
  sections: Section[];
  /**
   * The block is output that repeated inside the timed capture at this `file:line`
   * with no timestamp of its own: reported as a skip, never a time-less snapshot.
   */
  untimedAfter?: string;
  /** How many segmented blocks this block stands for (more than 1 after a merge). */
  parts: number;
}

/** What the segmenter saw in one file, for accounting. */
export interface SegmentStats {
  lines: number;
  blank: number;
  /** Lines outside any capture section (prompts, separators, socket tables, garbage). */
  outside: number;
  blocks: number;
  /** `sysctl -a` lines that gave a limit. */
  limits: number;
}

/** A `sysctl -a` line of the families limits come from (`net.ipv4.`, `net.netfilter.`, `net.core.`), as the segmenter meets it. */
export interface SysctlLine {
  text: string;
  /** `file:line`. */
  source: string;
  /** The host of the capture around it, if known. */
  host?: string;
}

/** A kernel limit read from `sysctl -a` output or a `proc/sys` file. */
export interface LimitReading {
  host?: string;
  name: string;
  value: number;
  /** `file:line` it was read from. */
  source: string;
}
