import { problem, type Problem } from './problem.js';
/**
 * Kernel limits the rules compare with, as `sysctl -a` prints them
 * (`net.ipv4.tcp_mem = 190011\t253348\t380022`) or as the content of
 * `/proc/sys/net/ipv4/<name>` files. Multi-value sysctls expand to named parts.
 */
export const LIMIT_SYSCTLS = {
  tcp_mem: ['tcp_mem_min', 'tcp_mem_pressure', 'tcp_mem_max'],
  udp_mem: ['udp_mem_min', 'udp_mem_pressure', 'udp_mem_max'],
  tcp_max_orphans: ['tcp_max_orphans'],
  tcp_max_tw_buckets: ['tcp_max_tw_buckets'],
  ipfrag_high_thresh: ['ipfrag_high_thresh'],
  ip_local_port_range: ['ip_local_port_min', 'ip_local_port_max'],
  // net.netfilter.* and net.core.* (sysctl -a)
  nf_conntrack_max: ['nf_conntrack_max'],
  nf_conntrack_count: ['nf_conntrack_count'],
  somaxconn: ['somaxconn'],
} as const;

export type LimitSysctl = keyof typeof LIMIT_SYSCTLS;
export type LimitName = (typeof LIMIT_SYSCTLS)[LimitSysctl][number];
export const LIMIT_NAMES: readonly LimitName[] = Object.values(LIMIT_SYSCTLS).flat();

export interface LimitValue {
  name: LimitName;
  value: number;
}

const SYSCTL_LINE = /^net\.(?:ipv4|netfilter|core)\.([a-z_]+)\s*=\s*(.*)$/;

export function isLimitSysctl(name: string): name is LimitSysctl {
  return Object.prototype.hasOwnProperty.call(LIMIT_SYSCTLS, name);
}

/** The values of one limit sysctl, or the problem when they do not fit its shape (source empty: the caller names the line). */
export function limitValues(sysctl: LimitSysctl, text: string): LimitValue[] | Problem {
  const parts = LIMIT_SYSCTLS[sysctl];
  const toks = text.trim().split(/\s+/);
  if (toks.length !== parts.length || !toks.every((t) => /^\d+$/.test(t))) {
    return problem('', `${sysctl}: expected ${parts.length} number(s), got ${JSON.stringify(text.trim())}`);
  }
  return parts.map((name, i) => ({ name, value: Number(toks[i]) }));
}

/** A `sysctl -a` line for one of the limits, else undefined (other sysctls are not limits). */
export function parseSysctlLine(text: string): { sysctl: LimitSysctl; values: LimitValue[] | Problem } | undefined {
  const m = SYSCTL_LINE.exec(text.trim());
  if (!m || !isLimitSysctl(m[1]!)) return undefined;
  return { sysctl: m[1], values: limitValues(m[1], m[2]!) };
}
