import type { Problem } from '../parse/problem.js';
/**
 * The report model: the whole result of an analysis, as the json format writes it
 * (schema/report.schema.json). Built by src/analyze.ts, written by the report formats.
 */
import type { Finding, NotEvaluated } from '../rules/engine.js';
import type { Sparkline } from './sparkline.js';

export interface HostSummary {
  host: string | null;
  series: string;
  first: string | null;
  last: string | null;
  snapshots: number;
  /** Unicode sparklines of the key series, with first/min/max/last. */
  sparklines: Record<string, Sparkline>;
}

/** The whole result of `analyze`, as the json format writes it. */
export interface AnalysisReport {
  tool: { name: 'sockscope'; version: string };
  inputs: {
    files: number;
    bytes: number;
    blocks: number;
    /** Blocks that became (part of) snapshots: blocks = blocks_in_snapshots + skipped. */
    blocks_in_snapshots: number;
    snapshots: number;
    skipped: Problem[];
    problems: Problem[];
    /** Inputs named on the command line that gave nothing (a subset of problems): named at the top of every report. */
    failed: Problem[];
    outside_lines: number;
  };
  hosts: HostSummary[];
  rules: string[];
  limits: { series: string; name: string; value: number; source: string }[];
  findings: Finding[];
  not_evaluated: NotEvaluated[];
  notices: string[];
}
