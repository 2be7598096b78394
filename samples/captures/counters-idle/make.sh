#!/bin/bash
# Idle capture with the counters: a fresh network namespace sockscope-ci, no workload; the
# same loop as the counter captures (../counters/loop.sh) with `ss -tuanpm`, 10 blocks.
# Usage: make.sh   (writes timeline.log here)
set -eu
cd "$(dirname "$0")"
ns=sockscope-ci
ip netns add $ns
trap 'ip netns del $ns 2>/dev/null || true' EXIT
ip -n $ns link set lo up
ip netns exec $ns ../counters/loop.sh 10 1 'ss -tuanpm' > timeline.log
