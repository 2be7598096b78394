/**
 * Bundle metadata (src/parse/bundle-meta.ts): host names and capture times from the files
 * real sosreports and supportconfigs keep beside the captures.
 */
import { describe, expect, it } from 'vitest';
import { firstLine, sosCommandStart, supportconfigCommand } from '../src/parse/bundle-meta.js';
import { sample } from './helpers.js';

describe('bundle metadata', () => {
  it('sosreport hostname files: the first line', () => {
    expect(firstLine(sample('captures/sosreport-node3/sosreport-node3-2026-11-25/hostname'))).toBe('node3');
    expect(firstLine(sample('captures/sosreport-node3/sosreport-node3-2026-11-25/sos_commands/host/hostname'))).toBe('node3');
    expect(firstLine(sample('captures/listing-sos/sosreport-vm-listing/hostname'))).toBe('vm');
    expect(firstLine('\n  \n')).toBeUndefined();
  });

  it('supportconfig basic-environment.txt: the output of one command block', () => {
    const env = sample('captures/supportconfig/scc_node2_261125_0412/basic-environment.txt');
    expect(supportconfigCommand(env, /(^|\/)date(\s|$)/)).toBe('Wed Nov 25 04:13:02 UTC 2026');
    expect(supportconfigCommand(env, /(^|\/)uname -a$/)).toBe('Linux node2 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux');
    expect(supportconfigCommand(env, /(^|\/)no-such-command$/)).toBeUndefined();
  });

  it('sos manifest: a file that is no manifest (or no JSON) says nothing', () => {
    // No real sos_reports/manifest.json is among the samples yet: only the refusals are checked here.
    expect(sosCommandStart(sample('captures/sosreport-node3/sosreport-node3-2026-11-25/hostname'), 'sos_commands/networking/ss_-s')).toBeUndefined();
    expect(sosCommandStart(sample('captures/supportconfig/scc_node2_261125_0412/basic-environment.txt'), 'x')).toBeUndefined();
  });
});
