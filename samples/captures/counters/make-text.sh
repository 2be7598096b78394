#!/bin/bash
# One moment of the counters in every text form sockscope reads, for the cross-format test:
# in network namespace sockscope-ct, UDP datagrams are sent for 3 s to a socket that is never
# read (so UdpRcvbufErrors is not 0), then, with the workload ended, `date`, /proc/net/snmp +
# /proc/net/netstat (proc.txt), `nstat -az` (nstat-az.txt) and `netstat -s` (netstat-s.txt).
# Usage: make-text.sh   (writes those files here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-ct
ip netns add $ns
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip -n $ns link set lo up
ip netns exec $ns python3 workloads.py udp-drops 5515 3 > /dev/null
ip netns exec $ns bash -c 'date; cat /proc/net/snmp /proc/net/netstat' > proc.txt
ip netns exec $ns bash -c 'date; nstat -az' > nstat-az.txt
ip netns exec $ns bash -c 'date; netstat -s' > netstat-s.txt
