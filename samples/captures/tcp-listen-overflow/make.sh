#!/bin/bash
# Real capture for tcp-listen-overflow: in network namespace sockscope-lo (net.core.somaxconn
# = 8 there only), a listener on 127.0.0.1:8080 that never accepts while 25 clients/s connect
# for 12 s. Loop (../counters/loop.sh): date, sockstat, sockstat6, ss -s, /proc/net/snmp,
# /proc/net/netstat, `ss -tanp`, new `dmesg -T` lines; 20 blocks 1 s apart.
# Usage: make.sh   (writes timeline.log and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-lo
C=../counters
ip netns add $ns
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip -n $ns link set lo up
ip netns exec $ns sysctl -qw net.core.somaxconn=8
ip netns exec $ns python3 $C/workloads.py listen-overflow 8080 12 > workload.jsonl &
sleep 0.5
ip netns exec $ns $C/loop.sh 20 1 'ss -tanp' > timeline.log
wait
