#!/bin/bash
# Real capture for udp-receive-drops: in network namespace sockscope-ud, a UDP socket on
# 127.0.0.1:5514 with a 4 KiB receive buffer that is never read, sent 500 datagrams of 512
# bytes a second for 12 s. Loop (../counters/loop.sh) with `ss -tuanpm` (UDP and TCP sockets; skmem d = drops);
# 20 blocks 1 s apart.
# Usage: make.sh   (writes timeline.log and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-ud
C=../counters
ip netns add $ns
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip -n $ns link set lo up
ip netns exec $ns python3 $C/workloads.py udp-drops 5514 12 > workload.jsonl &
sleep 0.5
ip netns exec $ns $C/loop.sh 20 1 'ss -tuanpm' > timeline.log
wait
