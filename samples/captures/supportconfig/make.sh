#!/bin/bash
# Real supportconfig-layout capture: every command below runs for real on this machine,
# in a UTS namespace whose host name is node2, and its output is wrapped the way SUSE
# supportconfig's log_cmd/log_file do (a "#==[ Command ]===...===#" line, then "# <command>").
# Usage: make.sh OUTDIR  (writes basic-environment.txt, network.txt, network-<NS>.txt, sysctl.txt)
set -eu
out=$(realpath -m "${1:?output dir}")
ns=sockscope-scc
mkdir -p "$out"
lib=$(mktemp)
cat > "$lib" <<'LIB'
log_cmd() { local f=$1; shift; { echo "#==[ Command ]======================================#"; echo "# $*"; "$@" 2>&1; echo; } >> "$f"; }
log_file() { { echo "#==[ Configuration File ]===========================#"; echo "# $2"; cat "$2"; echo; } >> "$1"; }
LIB
ip netns add $ns
ip -n $ns link set lo up
trap 'ip netns del $ns 2>/dev/null || true; rm -f "$lib"' EXIT
# a workload inside the namespace: 300 unconnected TCP sockets held for 20 s
ip netns exec $ns python3 "$(cd "$(dirname "$0")/../../.." && pwd)/tools/capture/workloads.py" leak --family 4 --per-step 100 --max 300 --delay 0 --duration 20 > "$out/../workload-leak.jsonl" &
sleep 5
unshare --uts bash -c "hostname node2; . '$lib'; out='$out'; ns='$ns'"'
  log_cmd "$out/basic-environment.txt" /bin/date
  log_cmd "$out/basic-environment.txt" /bin/uname -a
  log_file "$out/network.txt" /proc/net/sockstat
  log_file "$out/network.txt" /proc/net/sockstat6
  log_cmd "$out/network.txt" /usr/bin/ss -s
  log_cmd "$out/network.txt" /usr/bin/ss -ant
  ip netns exec "$ns" bash -c ". \"'"$lib"'\"; log_cmd \"$out/network-$ns.txt\" /usr/bin/ss -s; log_file \"$out/network-$ns.txt\" /proc/net/sockstat"
  log_cmd "$out/sysctl.txt" /sbin/sysctl -a
'
wait
