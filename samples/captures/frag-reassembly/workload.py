#!/usr/bin/env python3
"""Bounded fragment workload for the sockscope corpus (run inside a network namespace).

Sends first fragments (MF set, offset 0) of UDP datagrams whose other fragments never
come, to 127.0.0.1 through a raw IPPROTO_RAW socket: each distinct IP id opens one
reassembly queue that holds its skb until ipfrag_time (30 s) expires it or
ipfrag_high_thresh evicts it. `--per-step` queues every second, `--steps` seconds.
"""
import argparse
import json
import socket
import struct
import time

ap = argparse.ArgumentParser()
ap.add_argument("--per-step", type=int, default=400)
ap.add_argument("--steps", type=int, default=8)
ap.add_argument("--size", type=int, default=1400, help="payload bytes per fragment (multiple of 8)")
a = ap.parse_args()
assert a.steps <= 60 and a.per_step <= 5000

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
lo = socket.inet_aton("127.0.0.1")
payload = b"\0" * a.size
ident = 1
for step in range(a.steps):
    for _ in range(a.per_step):
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x2000, 64, 17, 0, lo, lo)
        s.sendto(hdr + payload, ("127.0.0.1", 0))
        ident += 1
    print(json.dumps({"t": round(time.time(), 3), "ev": "step", "sent": ident - 1}), flush=True)
    time.sleep(1)
print(json.dumps({"t": round(time.time(), 3), "ev": "exit"}), flush=True)
