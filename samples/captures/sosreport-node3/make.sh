#!/bin/bash
# A sosreport-layout tree made of real reads, the way the shared corpus bundle was made:
# proc/net/{sockstat,sockstat6,snmp}, sos_commands/networking/ss_-s, sos_commands/kernel/sysctl_-a,
# proc/sys/net/ipv4/*, sos_commands/date/date, hostname. Taken inside a network namespace and a
# UTS namespace named node3 while workloads.py makes short loopback connections (TIME_WAIT).
# Usage: make.sh OUTDIR
set -eu
out=$(realpath -m "${1:?output dir}")
ns=sockscope-n3
W="$(cd "$(dirname "$0")/../../.." && pwd)/tools/capture/workloads.py"   # the repository's tools/capture/
mkdir -p "$out"
ip netns add $ns
ip -n $ns link set lo up
# a smaller TIME_WAIT table in this namespace only (per-namespace since 4.11)
ip netns exec $ns sysctl -qw net.ipv4.tcp_max_tw_buckets=4096
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip netns exec $ns python3 $W twserver --port 20011 --duration 25 > "$out/../workload-twserver.jsonl" &
sleep 1
ip netns exec $ns python3 $W twclient --port 20011 --rate 300 --count 3000 --duration 20 > "$out/../workload-twclient.jsonl" &
sleep 12
ip netns exec $ns unshare --uts bash -c '
  set -eu
  out="$1"; hostname node3
  mkdir -p "$out/proc/net" "$out/proc/sys/net/ipv4" "$out/sos_commands/networking" "$out/sos_commands/kernel" "$out/sos_commands/date" "$out/sos_commands/host"
  date > "$out/sos_commands/date/date"
  cat /proc/net/sockstat > "$out/proc/net/sockstat"
  cat /proc/net/sockstat6 > "$out/proc/net/sockstat6"
  ss -s > "$out/sos_commands/networking/ss_-s"
  cat /proc/net/snmp > "$out/proc/net/snmp"
  sysctl -a > "$out/sos_commands/kernel/sysctl_-a" 2>/dev/null
  for n in tcp_mem tcp_max_orphans tcp_max_tw_buckets udp_mem ipfrag_high_thresh ip_local_port_range; do if [ -e /proc/sys/net/ipv4/$n ]; then cat /proc/sys/net/ipv4/$n > "$out/proc/sys/net/ipv4/$n"; fi; done
  hostname > "$out/hostname"; cp "$out/hostname" "$out/sos_commands/host/hostname"
  date > "$out/date"
' _ "$out"
wait
