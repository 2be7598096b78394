import { tzRuleFromTzif, zoneFromDates, zoneNameIn, zonesFromTzif, type TimeOptions } from '../../parse/time.js';

/**
 * The time zone a bundle says its clock is in, for the times it prints in local
 * time (`Thu Feb 10 10:51:32 CET 2022`): a zone named by `timedatectl` or
 * `etc/timezone`, else the abbreviations and the POSIX TZ rule of `etc/localtime`
 * (its footer: zone-less times are read with the rule), else what `date` shows against
 * `date --utc`. `--tz` wins over all of them.
 */
export async function bundleZone(
  read: (rel: string) => Promise<string | undefined>,
  opts: TimeOptions,
  where: { named?: string[]; localtime?: string; dates?: [string, string] },
): Promise<TimeOptions> {
  if (opts.tz) return opts;
  for (const rel of where.named ?? []) {
    const text = await read(rel);
    const tz = text !== undefined ? zoneNameIn(text) : undefined;
    if (tz) return { ...opts, tz };
  }
  const zones: Record<string, number> = {};
  if (where.dates) {
    const [local, utc] = await Promise.all(where.dates.map((r) => read(r)));
    if (local !== undefined && utc !== undefined) Object.assign(zones, zoneFromDates(local, utc));
  }
  let tzRule: string | undefined;
  if (where.localtime) {
    const text = await read(where.localtime);
    if (text !== undefined) {
      Object.assign(zones, zonesFromTzif(text));
      tzRule = tzRuleFromTzif(text);
    }
  }
  const out: TimeOptions = Object.keys(zones).length ? { ...opts, zones } : { ...opts };
  if (tzRule !== undefined) out.tzRule = tzRule;
  return out;
}
