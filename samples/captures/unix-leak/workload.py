#!/usr/bin/env python3
"""AF_UNIX socket leak for the sockscope capture corpus (no network traffic at all).

Creates socket.socketpair(AF_UNIX, SOCK_STREAM) at a steady rate and holds both
ends, so `sockets: used` in /proc/net/sockstat rises while TCP/UDP stay flat.
Bounded: at most --max-sockets sockets, at most --duration seconds (<= 300);
closes everything at the end or on SIGTERM/SIGINT.  Logs JSON lines to stdout
in the style of tools/capture/workloads.py.

  python3 workload.py --pairs-per-step 25 --step 1 --max-sockets 1500 --delay 3 --duration 50
"""
import argparse
import json
import signal
import socket
import threading
import time

STOP = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: STOP.set())
signal.signal(signal.SIGINT, lambda *_: STOP.set())


def log(ev, **kw):
    print(json.dumps({"t": round(time.time(), 3), "ev": ev, **kw}), flush=True)


def wait_until(t):
    while not STOP.is_set():
        left = t - time.time()
        if left <= 0:
            return True
        time.sleep(min(left, 0.05))
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs-per-step", type=int, default=25)
    p.add_argument("--step", type=float, default=1.0)
    p.add_argument("--max-sockets", type=int, default=1500)
    p.add_argument("--delay", type=float, default=3)
    p.add_argument("--duration", type=float, default=50)
    a = p.parse_args()
    assert a.duration <= 300 and a.max_sockets <= 10000, "bounded workload"
    log("start", cmd="unix-socketpair-leak", args=vars(a))
    end = time.time() + a.duration
    socks = []
    wait_until(time.time() + a.delay)
    t0, step = time.time(), 0
    while not STOP.is_set() and time.time() < end and len(socks) < a.max_sockets:
        n = min(a.pairs_per_step, (a.max_sockets - len(socks)) // 2)
        if n <= 0:
            break
        for _ in range(n):
            socks.extend(socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
        step += 1
        log("leak", family="unix", step=step, added=2 * n, total=len(socks))
        wait_until(t0 + step * a.step)
    log("plateau", total=len(socks))
    wait_until(end)
    for s in socks:
        s.close()
    log("closed_all", total=len(socks))
    log("exit", cmd="unix-socketpair-leak")


if __name__ == "__main__":
    main()
