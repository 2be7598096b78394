#!/bin/bash
# Real capture for tcp-orphans-overflow (rule tcp-orphans-high). net.ipv4.tcp_max_orphans is
# host-wide (no per-namespace copy, even on 6.x): it is lowered to 32 in the root namespace
# for the run and put back on exit, whatever happens. In network namespace sockscope-or,
# 100 connections to a server on 127.0.0.1:8095 that never reads (receive buffer 4 KiB),
# 10 a second: each client fills its send queue and closes, so each becomes an orphan in
# FIN-WAIT-1 with unsent data. Past 32 orphans the kernel resets the next ones
# (TcpExtTCPAbortOnMemory) and logs "TCP: too many orphaned sockets" (rate-limited). 3 s
# after the last close the server closes its side (RST: the orphans end). Loop
# (../counters/loop.sh) in the namespace with `ss -tanp`, 20 blocks 1 s apart; the workload
# starts after the second block. sysctl_-a: the host-wide limits (tcp_max_orphans, tcp_mem)
# as `sysctl -a` printed them in the root namespace during the run.
# Usage: make.sh   (writes timeline.log, sysctl_-a and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-or
C=../counters
orig=$(cat /proc/sys/net/ipv4/tcp_max_orphans)
trap 'sysctl -qw net.ipv4.tcp_max_orphans=$orig; ip netns del $ns 2>/dev/null || true' EXIT
ip netns add $ns
ip -n $ns link set lo up
sysctl -qw net.ipv4.tcp_max_orphans=32
ip netns exec $ns $C/loop.sh 20 1 'ss -tanp' > timeline.log &
sleep 2
sysctl -a 2>/dev/null | grep -E '^net\.ipv4\.(tcp_max_orphans|tcp_mem) ' > sysctl_-a
ip netns exec $ns python3 $C/workloads.py orphans 8095 100 3 > workload.jsonl
wait
