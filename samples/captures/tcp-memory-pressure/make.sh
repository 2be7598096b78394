#!/bin/bash
# Real capture for tcp-memory-pressure. net.ipv4.tcp_mem is host-wide (no per-namespace copy,
# even on 6.x): for the run it is set in the root namespace to "M+128 M+256 M+512" pages, M
# being the host's TCP memory (sockstat `TCP: ... mem`) just before, and put back on exit,
# whatever happens. In network namespace sockscope-mp, 40 connections to a server on
# 127.0.0.1:8096 that never reads; the clients send as fast as they can for 6 s, so the
# receive and send queues pass pressure (TcpExtTCPMemoryPressures) and max; then the clients
# close with their send queues full: over max the kernel resets them (TcpExtTCPAbortOnMemory)
# and logs "TCP: out of memory -- consider tuning tcp_mem" (rate-limited). 2 s later the
# server closes its side. Loop (../counters/loop.sh) in the namespace with `ss -tanp`, 20
# blocks 1 s apart; the workload starts after the second block. sysctl_-a: the host-wide
# limits (tcp_mem, tcp_max_orphans) as `sysctl -a` printed them in the root namespace during
# the run.
# Usage: make.sh   (writes timeline.log, sysctl_-a and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-mp
C=../counters
orig=$(cat /proc/sys/net/ipv4/tcp_mem)
trap 'sysctl -qw net.ipv4.tcp_mem="$orig"; ip netns del $ns 2>/dev/null || true' EXIT
ip netns add $ns
ip -n $ns link set lo up
m=$(awk '$1 == "TCP:" { print $NF }' /proc/net/sockstat)
sysctl -qw net.ipv4.tcp_mem="$((m + 128)) $((m + 256)) $((m + 512))"
ip netns exec $ns $C/loop.sh 20 1 'ss -tanp' > timeline.log &
sleep 2
sysctl -a 2>/dev/null | grep -E '^net\.ipv4\.(tcp_max_orphans|tcp_mem) ' > sysctl_-a
ip netns exec $ns python3 $C/workloads.py tcp-mem 8096 40 6 > workload.jsonl
wait
