#!/usr/bin/env python3
"""Workload for the listing-sos capture (run by make.sh; prints one JSON line when ready).

hold:     3 named threads (prctl PR_SET_NAME wk-a/wk-b/wk-c) besides the main one;
          40 unconnected AF_INET and 20 unconnected AF_INET6 TCP sockets; a raw ICMPv6
          socket (ss netid icmp6), an MPTCP listener (mptcp), a vsock stream socket (v_str),
          a packet socket (p_raw); a UDP socket on 127.0.0.1:20042 with a 4 KiB receive
          buffer sent 200 datagrams of 100 bytes and never read (Recv-Q and drops); a listener on
          127.0.0.1:20043 with backlog 5 that never accepts, connected to 8 times.
cwserver: listens on 127.0.0.1:20041, accepts 300 connections and never closes them.
cwclient: opens 300 connections to 127.0.0.1:20041 and closes them (the server's side
          stays in CLOSE-WAIT).
Every mode then sleeps for --hold seconds.
"""
import ctypes, json, socket, sys, threading, time

mode = sys.argv[1]
hold = float(sys.argv[2]) if len(sys.argv) > 2 else 60
keep = []

def name_thread(name):
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME

def ready(**kw):
    print(json.dumps({"t": time.time(), "mode": mode, "ready": True, **kw}), flush=True)

if mode == "hold":
    for n in ("wk-a", "wk-b", "wk-c"):
        threading.Thread(target=lambda n=n: (name_thread(n), time.sleep(hold + 5)), daemon=True).start()
    keep += [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(40)]
    keep += [socket.socket(socket.AF_INET6, socket.SOCK_STREAM) for _ in range(20)]
    keep.append(socket.socket(socket.AF_INET6, socket.SOCK_RAW, 58))
    m = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
    m.bind(("127.0.0.1", 20044)); m.listen(5); keep.append(m)
    keep.append(socket.socket(40, socket.SOCK_STREAM))
    keep.append(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    u.bind(("127.0.0.1", 20042)); keep.append(u)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); keep.append(tx)
    for _ in range(200):
        tx.sendto(b"x" * 100, ("127.0.0.1", 20042))
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.bind(("127.0.0.1", 20043)); l.listen(5); keep.append(l)
    for _ in range(8):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM); c.setblocking(False)
        try:
            c.connect(("127.0.0.1", 20043))
        except BlockingIOError:
            pass
        keep.append(c)
    time.sleep(0.5)
    ready(unhashed4=40, unhashed6=20, threads=3)
elif mode == "cwserver":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 20041)); s.listen(512); keep.append(s)
    ready(port=20041)
    while len(keep) < 301:
        keep.append(s.accept()[0])
    print(json.dumps({"t": time.time(), "accepted": len(keep) - 1}), flush=True)
elif mode == "cwclient":
    for _ in range(300):
        c = socket.create_connection(("127.0.0.1", 20041)); c.close()
    ready(closed=300)
time.sleep(hold)
