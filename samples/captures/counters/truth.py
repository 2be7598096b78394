#!/usr/bin/env python3
"""Writes truth.json beside a counter capture: the counters' first and last values read back
from its timeline.log (or the given files), and the expected findings given on the command line.
Usage: truth.py DIR 'must_raise,...' 'must_not_raise,...' 'what ran'"""
import json, os, re, sys
d, must, mustnot, what = sys.argv[1:5]
names = ['TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpExtSyncookiesSent', 'TcpExtTCPReqQFullDrop',
         'TcpExtTCPTimeWaitOverflow', 'UdpRcvbufErrors', 'UdpInErrors', 'TcpExtTCPAbortOnMemory',
         'TcpExtTCPMemoryPressures']
# sockstat's TCP line (orphan and mem are host-wide): first, largest and last value of each
sock = {}
seen = {}
blocks = 0
logs = []
for f in sorted(os.listdir(d)):
    if not f.endswith(('.log', '.txt')):
        continue
    hdr = None
    for line in open(os.path.join(d, f)):
        if re.match(r'^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$', line.strip()):
            blocks += 1
        if line.startswith('[') and ']' in line:
            logs.append(line.rstrip('\n'))
        st = re.match(r'^TCP: inuse (\d+) orphan (\d+) tw (\d+) alloc (\d+) mem (\d+)$', line.strip())
        if st:
            for k, v in zip(['tcp_inuse', 'tcp_orphan', 'tcp_tw', 'tcp_alloc', 'tcp_mem_pages'], st.groups()):
                sock.setdefault(k, []).append(int(v))
        m = re.match(r'^(TcpExt|Udp): (.*)$', line)
        if not m:
            continue
        toks = m.group(2).split()
        if not toks or not toks[0].lstrip('-').isdigit():
            hdr = (m.group(1), toks)
            continue
        if hdr and hdr[0] == m.group(1):
            for k, v in zip(hdr[1], toks):
                n = hdr[0] + k
                if n in names:
                    seen.setdefault(n, []).append(int(v))
obs = {n: {'first': v[0], 'last': v[-1], 'increase': v[-1] - v[0]} for n, v in seen.items()}
obs_sock = {k: {'first': v[0], 'max': max(v), 'last': v[-1]} for k, v in sock.items()}
json.dump({'what_ran': what, 'blocks': blocks, 'observed_counters': obs, 'observed_sockstat': obs_sock,
           'kernel_log_lines': logs,
           'expected_findings': {'must_raise': [x for x in must.split(',') if x],
                                 'must_not_raise': [x for x in mustnot.split(',') if x]}},
          open(os.path.join(d, 'truth.json'), 'w'), indent=2)
print(d, blocks, obs)
