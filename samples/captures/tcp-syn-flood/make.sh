#!/bin/bash
# Real capture for tcp-syn-flood: two network namespaces joined by a veth pair. In
# sockscope-sf (10.77.0.1/24, net.ipv4.tcp_syncookies = 1, net.core.somaxconn = 64 there) a
# listener on 10.77.0.1:8080 accepts and closes; from sockscope-sfa, raw SYNs (200/s for 12 s)
# with source addresses 10.77.0.100-249 that nobody owns, so the SYN-ACKs go unanswered and
# the SYN queue fills. Loop (../counters/loop.sh) in sockscope-sf with `ss -tanp`; 20 blocks.
# Usage: make.sh   (writes timeline.log and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-sf; na=sockscope-sfa
C=../counters
ip netns add $ns; ip netns add $na
trap 'ip netns del $ns 2>/dev/null || true; ip netns del $na 2>/dev/null || true' EXIT
ip -n $ns link set lo up; ip -n $na link set lo up
ip -n $ns link add sfv type veth peer name sfva netns $na
ip -n $ns addr add 10.77.0.1/24 dev sfv; ip -n $ns link set sfv up
ip -n $na addr add 10.77.0.2/24 dev sfva; ip -n $na link set sfva up
ip netns exec $ns sysctl -qw net.ipv4.tcp_syncookies=1 net.core.somaxconn=64
ip netns exec $ns python3 $C/workloads.py syn-listener 10.77.0.1 8080 22 > /dev/null &
sleep 0.5
ip netns exec $na python3 $C/workloads.py syn-flood 10.77.0.1 8080 12 > workload.jsonl &
ip netns exec $ns $C/loop.sh 20 1 'ss -tanp' > timeline.log
wait
