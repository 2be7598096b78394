import { isProblem } from '../src/parse/problem.js';
/**
 * Kernel limits from sysctl text (src/parse/sysctl.ts), on real `sysctl -a` output of a
 * sosreport, a supportconfig and a hotsos scenario.
 */
import { describe, expect, it } from 'vitest';
import { isLimitSysctl, limitValues, parseSysctlLine } from '../src/parse/sysctl.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sample } from './helpers.js';

const limitsOf = (text: string) =>
  text.split('\n').flatMap((l, i) => {
    const r = parseSysctlLine(l);
    return r ? [`${i + 1}: ${r.sysctl} ${isProblem(r.values) ? r.values.reason : r.values.map((v) => `${v.name}=${v.value}`).join(' ')}`] : [];
  });

describe('sysctl limits', () => {
  it('sosreport sysctl_-a (830 lines): the six limit sysctls it has, each at its line', () => {
    const text = sample('captures/sosreport-node3/sosreport-node3-2026-11-25/sos_commands/kernel/sysctl_-a');
    expect(limitsOf(text)).toEqual([
      '204: somaxconn somaxconn=4096',
      '338: ip_local_port_range ip_local_port_min=32768 ip_local_port_max=60999',
      '343: ipfrag_high_thresh ipfrag_high_thresh=4194304',
      '405: tcp_max_tw_buckets tcp_max_tw_buckets=4096',
      '718: nf_conntrack_count nf_conntrack_count=0',
      '730: nf_conntrack_max nf_conntrack_max=262144',
    ]);
  });

  it('supportconfig sysctl.txt: tcp_mem and udp_mem split into min, pressure and max', () => {
    const text = sample('captures/supportconfig/scc_node2_261125_0412/sysctl.txt');
    expect(limitsOf(text)).toEqual([
      '234: somaxconn somaxconn=4096',
      '476: ip_local_port_range ip_local_port_min=32768 ip_local_port_max=60999',
      '481: ipfrag_high_thresh ipfrag_high_thresh=4194304',
      '620: tcp_max_orphans tcp_max_orphans=131072',
      '623: tcp_max_tw_buckets tcp_max_tw_buckets=131072',
      '624: tcp_mem tcp_mem_min=287898 tcp_mem_pressure=383865 tcp_mem_max=575796',
      '677: udp_mem udp_mem_min=575796 udp_mem_pressure=767731 udp_mem_max=1151592',
      '1193: nf_conntrack_count nf_conntrack_count=0',
      '1205: nf_conntrack_max nf_conntrack_max=262144',
    ]);
  });

  it('a hotsos scenario\'s sysctl_-a (another machine\'s numbers)', () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/world/hotsos/defs/tests/scenarios/kernel/network/tcp.yaml/sos_commands/kernel/sysctl_-a'), 'utf8');
    expect(limitsOf(text)).toEqual([
      '1: udp_mem udp_mem_min=379728 udp_mem_pressure=506307 udp_mem_max=762456',
      '2: tcp_mem tcp_mem_min=189864 tcp_mem_pressure=253153 tcp_mem_max=379728',
    ]);
  });

  it('proc/sys file contents and --limit values: the shape of each sysctl, or why not', () => {
    expect(limitValues('tcp_mem', '287898\t383865\t575796\n')).toEqual([
      { name: 'tcp_mem_min', value: 287898 }, { name: 'tcp_mem_pressure', value: 383865 }, { name: 'tcp_mem_max', value: 575796 },
    ]);
    expect(limitValues('tcp_max_orphans', '131072\n')).toEqual([{ name: 'tcp_max_orphans', value: 131072 }]);
    expect(limitValues('tcp_mem', '287898 383865')).toEqual({ source: '', reason: 'tcp_mem: expected 3 number(s), got "287898 383865"', severity: 'error' });
    expect(limitValues('somaxconn', '-1')).toEqual({ source: '', reason: 'somaxconn: expected 1 number(s), got "-1"', severity: 'error' });
    // Other sysctls are not limits; neither are other trees.
    expect(parseSysctlLine('net.ipv4.tcp_syncookies = 1')).toBeUndefined();
    expect(parseSysctlLine('vm.min_free_kbytes = 67584')).toBeUndefined();
    expect(isLimitSysctl('tcp_mem')).toBe(true);
    expect(isLimitSysctl('toString')).toBe(false);
  });
});
