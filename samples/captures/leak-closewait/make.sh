#!/bin/bash
# Real capture for process attribution: a leak of unconnected TCP sockets (one python3
# process) and CLOSE-WAIT sockets (another python3 process), with the counters and the
# socket listings of the same moment: date, sockstat, sockstat6, ss -s, ss -tanp, lsof -nP
# (of the python3 processes) per block; then ss -peaonmi once, at the end.
# Usage: make.sh   (writes timeline-date.log, ss-peaonmi.txt and workload logs here)
set -eu
W="$(cd "$(dirname "$0")/../../.." && pwd)/tools/capture/workloads.py"   # the repository's tools/capture/
python3 $W cwserver --port 20021 --duration 90 > workload-cwserver.jsonl &
S=$!
sleep 1
python3 $W cwclient --port 20021 --rate 40 --count 400 --duration 30 > workload-cwclient.jsonl &
C=$!
python3 $W leak --family 4 --per-step 60 --max 900 --delay 2 --duration 90 > workload-leak.jsonl &
L=$!
# the loop starts once each workload has logged its start: python3 has read its script by
# then (else lsof lists the script file, a path of the capture machine)
for f in workload-cwserver.jsonl workload-cwclient.jsonl workload-leak.jsonl; do
  until grep -q '"ev": "start"' $f; do sleep 0.1; done
done
: > timeline-date.log
for i in $(seq 1 18); do
  {
    date; cat /proc/net/sockstat; cat /proc/net/sockstat6; ss -s
    ss -tanp
    # only the workload's processes (other python3 processes of the machine are not the scenario's)
    lsof -nP -a -p "$S,$C,$L" -d '^txt,^mem,^cwd,^rtd,^0,^1,^2' 2>/dev/null || true
  } >> timeline-date.log
  sleep 1
done
ss -peaonmi -t > ss-peaonmi.txt
# the workloads hold their sockets until here (a loaded machine stretches the loop), then end
kill $S $C $L 2>/dev/null || true
wait
