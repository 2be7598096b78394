#!/bin/bash
# Real capture for conntrack-table-full. nf_conntrack is built into this kernel
# (CONFIG_NF_CONNTRACK=y; no modprobe needed) but tracks a namespace only once a rule there
# uses it: in network namespace sockscope-cf an nftables rule `ct state established,related`
# (nft 1.0.6, Debian package nftables) turns it on. net.netfilter.nf_conntrack_max is
# host-wide (read-only inside a namespace; each namespace's count is compared with it): it
# is lowered to 64 in the root namespace for the run and put back on exit, whatever happens
# (the root namespace tracks nothing here, its count stays 0). In the namespace, 150
# connections to a server on 127.0.0.1:8097 that accepts and holds them, 20 a second: past
# 64 tracked connections the kernel drops the SYN of every new one (and their retries) and
# logs "nf_conntrack: table full, dropping packet" (rate-limited: "net_ratelimit: N
# callbacks suppressed"). Loop (../counters/loop.sh) in the namespace with `ss -tanp`, 20
# blocks 1 s apart; the workload starts after the second block. sysctl_-a: nf_conntrack_max
# and nf_conntrack_count as `sysctl -a` printed them inside the namespace once the workload
# said it holds 64 connections; nft-ruleset.txt: `nft list ruleset` of the namespace.
# The rate limit of networking messages is one for the whole host, and it prints how many it
# left out ("net_ratelimit: N callbacks suppressed") only at its next message, whichever:
# so that a count left from earlier messages is not printed inside this capture, a
# throwaway namespace sockscope-cf0 first has one SYN dropped with nf_conntrack_max at 1
# (printed before the loop starts: not in the timeline), 6 s before the run.
# Usage: make.sh   (writes timeline.log, sysctl_-a, nft-ruleset.txt and workload.jsonl here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-cf
C=../counters
orig=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
trap 'sysctl -qw net.netfilter.nf_conntrack_max=$orig; ip netns del $ns 2>/dev/null || true; ip netns del ${ns}0 2>/dev/null || true' EXIT
ct_rule() {
  ip netns exec "$1" nft -f - <<'NFT'
table inet sockscope {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
  }
}
NFT
}
ip netns add ${ns}0
ip -n ${ns}0 link set lo up
ct_rule ${ns}0
sysctl -qw net.netfilter.nf_conntrack_max=1
ip netns exec ${ns}0 python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 8097)); s.listen(8)
a = socket.create_connection(("127.0.0.1", 8097))
b = socket.socket(); b.settimeout(0.3)
try:
    b.connect(("127.0.0.1", 8097))
except OSError:
    pass
'
ip netns del ${ns}0
sleep 6
ip netns add $ns
ip -n $ns link set lo up
ct_rule $ns
ip netns exec $ns nft list ruleset > nft-ruleset.txt
sysctl -qw net.netfilter.nf_conntrack_max=64
ip netns exec $ns $C/loop.sh 20 1 'ss -tanp' > timeline.log &
sleep 2
ip netns exec $ns python3 $C/workloads.py conntrack 8097 150 > workload.jsonl &
for ((i = 0; i < 100; i++)); do grep -q '"accepted": 64' workload.jsonl && break; sleep 0.2; done
ip netns exec $ns sysctl -a 2>/dev/null | grep -E '^net\.netfilter\.nf_conntrack_(max|count) ' > sysctl_-a
wait
