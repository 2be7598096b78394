import type { Field } from './fields.js';
import type { ListingSummary } from '../parse/listing.js';

export type Values = Partial<Record<Field, number>>;

export type DiagnosticKind = 'disagree' | 'race' | 'time' | 'parse' | 'derive' | 'listing';

/** Something a user should know about one snapshot; never fatal. */
export interface Diagnostic {
  kind: DiagnosticKind;
  /** `file:line` the diagnostic is about. */
  source: string;
  message: string;
  field?: string;
  /** For `disagree`: the value kept (primary source) and the other source's value. */
  kept?: number;
  other?: number;
}

/** One row per (host, moment): the reconciled view of every capture of that moment. */
export interface Snapshot {
  host?: string;
  /** Network namespace, when the inputs name one (supportconfig network-<NS>.txt). */
  namespace?: string;
  /** ISO 8601 UTC (`...Z`), absent when the capture has no usable time. */
  time?: string;
  /** Epoch milliseconds of `time`. */
  timeMs?: number;
  /** `file:line` of the snapshot's first line. */
  source: string;
  /** Every `file:line` that fed the snapshot, in order. */
  sources: string[];
  /** Input formats that fed the row: sockstat, sockstat6, ss, snmp. */
  formats: string[];
  values: Values;
  /** Socket listings of the same moment, aggregated: states, processes, addresses. */
  listing?: ListingSummary;
  /** Protocol counters by nstat name (`TcpExtTCPAbortOnData`) that are not columns (parse/counters.ts). */
  counters?: Record<string, number>;
  /** Keys the parsers did not know (`TCP.pressure`), kept as read. */
  otherKeys: Record<string, number>;
  diagnostics: Diagnostic[];
}
