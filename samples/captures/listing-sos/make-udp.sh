#!/bin/bash
# Real `ss -uamp` (no Netid column: one kind of socket) while workload.py hold runs: a UDP
# socket on 127.0.0.1:20042 with a 4 KiB receive buffer was sent 200 datagrams of 100 bytes
# and read none (Recv-Q and drops in skmem d), next to the sender's socket.
# Usage (root): make-udp.sh   (writes ss-uamp.txt here)
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
W=$PWD/workload.py
(cd $T && exec python3 $W hold 20 > workload-hold.jsonl) & H=$!
until grep -q ready $T/workload-hold.jsonl 2>/dev/null; do sleep 0.2; done
ss -uamp > ss-uamp.txt 2>&1
kill $H 2>/dev/null || true
wait 2>/dev/null || true
rm -rf $T
