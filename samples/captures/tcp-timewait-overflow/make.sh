#!/bin/bash
# Real capture for tcp-timewait-overflow: in network namespace sockscope-tw
# (net.ipv4.tcp_max_tw_buckets = 64 there only, per namespace since 4.11), 1500 short
# loopback connections the client closes first, 100 every half second. Loop
# (../counters/loop.sh) without a listing (ss -s counts timewait); 15 blocks, plus
# sysctl -a of the namespace at the end.
# Usage: make.sh   (writes timeline.log, sysctl_-a and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-tw
C=../counters
ip netns add $ns
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip -n $ns link set lo up
ip netns exec $ns sysctl -qw net.ipv4.tcp_max_tw_buckets=64
ip netns exec $ns python3 $C/workloads.py tw-churn 8090 1500 > workload.jsonl &
ip netns exec $ns $C/loop.sh 15 1 '' > timeline.log
wait
ip netns exec $ns sysctl -a 2>/dev/null | grep -E '^net\.ipv4\.(tcp_max_tw_buckets|tcp_max_orphans|tcp_mem) ' > sysctl_-a
