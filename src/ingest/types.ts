import { type Problem } from '../parse/problem.js';
/**
 * What ingest yields: input files and the problems of inputs that could not be read. Their own
 * module, so that the archive readers and the bundle recognizers need not import sources.ts,
 * which imports them.
 */
import type { Readable } from 'node:stream';
import type { Timestamp } from '../parse/time.js';

/**
 * One input file as the pipeline sees it: a display name (used in every
 * `source`), a way to open its decompressed bytes, and what its bundle says
 * about it (host, capture time, namespace, or that it holds a limit).
 */
export interface InputFile {
  /** `path`, `-` for stdin, `archive!inner/path` inside an archive. */
  name: string;
  /** Base name used for time-in-name detection. */
  base: string;
  /** Size in bytes as stored, when known. */
  size?: number;
  mtimeMs?: number;
  open(): Readable;
  /** From the bundle: the host these captures are of. */
  host?: string;
  /** From the bundle: when the captures were taken (they carry no time themselves). */
  defaultTime?: Timestamp | Problem;
  /** Note on where defaultTime came from (shown as a diagnostic when it is a guess). */
  timeNote?: string;
  namespace?: string;
  /** From the bundle: the zone its clock is in (`--tz` wins), or its zone abbreviations' offsets. */
  tz?: string;
  zones?: Readonly<Record<string, number>>;
  /** From the bundle's `etc/localtime`: its POSIX TZ rule, for zone-less times (`--tz` and a named zone win). */
  tzRule?: string;
  /** The file is `proc/sys/net/ipv4/<name>`: its content is that limit. */
  limitSysctl?: string;
  /**
   * A kernel log of the bundle (dmesg, messages, kern.log, journal): only its lines that match
   * a rule's log pattern are read (parse/kernel-log.ts). `bootMs` places dmesg's seconds since boot.
   */
  kernelLog?: { bootMs?: number };
  /** Filled while the file is read: what its content said about it (shown as input notes). */
  notes?: string[];
}


