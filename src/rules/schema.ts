import { z } from 'zod';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

const NAME = /^[a-z_][a-z0-9_]*$/;
const Sev = z.enum(SEVERITIES);

const Param = z.union([
  z.number(),
  z.object({ default: z.number(), description: z.string().optional(), unit: z.string().optional() }).strict(),
]);

const Reference = z.union([z.string(), z.object({ title: z.string(), url: z.string() }).strict()]);

/** A rule file. Unknown fields are errors. */
export const RuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    severity: Sev,
    scope: z.enum(['snapshot', 'series']),
    params: z.record(z.string().regex(NAME, 'param names are lower_snake_case'), Param).default({}),
    /** Fires when true; absent inputs make it "not evaluated", never true or false. */
    when: z.string().min(1),
    /** The first level whose `when` is true sets the severity instead of `severity`. */
    levels: z.array(z.object({ severity: Sev, when: z.string().min(1) }).strict()).optional(),
    /** Expression whose largest value picks the peak evidence row (default: the first field `when` uses). */
    peak: z.string().optional(),
    /** Values shown in each evidence row: field names, `limits.*`, or derived names. */
    values: z.array(z.string()).optional(),
    /** A template, or variants tried in order (the first whose `when` holds; one without `when` is the default). */
    message: z.union([z.string(), z.array(z.object({ when: z.string().optional(), text: z.string() }).strict()).min(1)]),
    /** A template appended to the message when every value it names is known (who holds the sockets). */
    attribution: z.string().optional(),
    explain: z.string().min(1),
    remediation: z.string().min(1),
    references: z.array(Reference).default([]),
    runbook: z.string().optional(),
    /**
     * Kernel log patterns (parse/kernel-log.ts): a line is one of `name`'s when it holds one of the
     * `contains` strings (literal, case-sensitive) and, if given, matches `match` (a regular
     * expression; its named groups can be shown with log_values). Read with log_count("name").
     */
    log: z
      .array(
        z
          .object({
            name: z.string().regex(NAME, 'pattern names are lower_snake_case'),
            contains: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
            match: z.string().min(1).optional(),
          })
          .strict(),
      )
      .optional(),
    /** When one of these rules fires for the same host and time, this finding drops to `severity` and says `note`. */
    yield_to: z.array(z.object({ rule: z.string(), severity: Sev, note: z.string() }).strict()).optional(),
  })
  .strict();

export type RuleFile = z.infer<typeof RuleSchema>;
