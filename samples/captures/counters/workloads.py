#!/usr/bin/env python3
"""Bounded workloads for the counter and kernel-log captures (run by make.sh beside this file).

  listen-overflow PORT SECONDS    listener (backlog capped by the namespace's somaxconn) that
                                  never accepts; 25 clients/s connect to it
  udp-drops PORT SECONDS          UDP socket with a 4 KiB receive buffer that is never read;
                                  500 datagrams/s of 512 bytes are sent to it
  syn-flood DST PORT SECONDS      raw SYNs from unused addresses of DST's /24 (their SYN-ACKs
                                  go nowhere), 200/s
  syn-listener ADDR PORT SECONDS  a listener that accepts and closes (the SYN flood's target)
  tw-churn PORT COUNT             COUNT short connections to a local server, the client
                                  closing first (TIME-WAIT on the client side)
  orphans PORT COUNT HOLD         COUNT connections to a server that never reads, 10 a second;
                                  each client fills its send queue and closes (an orphan in
                                  FIN-WAIT-1 with unsent data); HOLD s later the server closes
                                  its side (RST: the orphans end)
  tcp-mem PORT CONNS SECONDS      CONNS connections to a server that never reads; the clients
                                  send as fast as they can for SECONDS, then close with their
                                  send queues full; 2 s later the server closes its side
  conntrack PORT COUNT            COUNT connections to a local server that accepts and holds
                                  them, 20 a second, non-blocking (a connect whose SYN is dropped
                                  retries on its own); all closed at the end
Every loop is bounded by its SECONDS/COUNT; each prints one JSON line per second.
"""
import json, os, random, socket, struct, sys, threading, time

def log(**kw):
    kw["t"] = round(time.time(), 3)
    print(json.dumps(kw), flush=True)

def listen_overflow(port, seconds):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)  # capped at net.core.somaxconn
    conns = []
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        for _ in range(25):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            conns.append(c)
            n += 1
        log(event="connect", total=n)
        time.sleep(1)
    for c in conns:
        c.close()
    srv.close()

def udp_drops(port, seconds):
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    r.bind(("127.0.0.1", port))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.time() + seconds
    n = 0
    payload = b"x" * 512
    while time.time() < end:
        for _ in range(500):
            s.sendto(payload, ("127.0.0.1", port))
            n += 1
        log(event="sent", total=n)
        time.sleep(1)
    r.close()
    s.close()

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF

def syn_packet(src, dst, sport, dport):
    seq = random.randrange(1 << 32)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.randrange(65536), 0, 64, socket.IPPROTO_TCP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp

def syn_flood(dst, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    net = dst.rsplit(".", 1)[0]
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        for _ in range(200):
            src = "%s.%d" % (net, random.randrange(100, 250))
            s.sendto(syn_packet(src, dst, random.randrange(1024, 65535), port), (dst, 0))
            n += 1
        log(event="syn", total=n)
        time.sleep(1)

def syn_listener(addr, port, seconds):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1024)
    srv.settimeout(0.5)
    end = time.time() + seconds
    while time.time() < end:
        try:
            c, _ = srv.accept()
            c.close()
        except socket.timeout:
            pass
    srv.close()

def tw_churn(port, count):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)
    def serve():
        for _ in range(count):
            c, _ = srv.accept()
            c.recv(1)
            c.close()
    th = threading.Thread(target=serve, daemon=True)
    th.start()
    for i in range(count):
        c = socket.socket()
        c.connect(("127.0.0.1", port))
        c.close()  # the client closes first: its side goes to TIME-WAIT
        if i % 100 == 99:
            log(event="closed", total=i + 1)
            time.sleep(0.5)
    th.join(5)
    srv.close()

def orphans(port, count, hold):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by the accepted sockets
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)
    held = []
    chunk = b"x" * 4096
    for i in range(count):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        c.connect(("127.0.0.1", port))
        a, _ = srv.accept()
        held.append(a)  # never read
        c.setblocking(False)
        try:
            while True:
                c.send(chunk)
        except BlockingIOError:
            pass
        c.close()  # orphaned: FIN-WAIT-1 with unsent data, the peer's window closed
        if i % 10 == 9:
            log(event="closed", total=i + 1)
            time.sleep(1)
    time.sleep(hold)
    for a in held:
        a.close()  # unread data: RST to the orphan
    srv.close()
    log(event="peers closed", total=count)

def tcp_mem(port, conns, seconds):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)
    clients, held = [], []
    for _ in range(conns):
        c = socket.socket()
        c.connect(("127.0.0.1", port))
        a, _ = srv.accept()
        held.append(a)  # never read
        c.setblocking(False)
        clients.append(c)
    chunk = b"x" * 65536
    end = time.time() + seconds
    sent = 0
    nxt = time.time() + 1
    while time.time() < end:
        for c in clients:
            try:
                sent += c.send(chunk)
            except BlockingIOError:
                pass
        if time.time() >= nxt:
            log(event="sent", bytes=sent)
            nxt += 1
        time.sleep(0.01)
    log(event="sent", bytes=sent)
    for c in clients:
        c.close()  # send queue full: under tcp_mem max an orphan, over it reset (out of memory)
    log(event="clients closed", total=conns)
    time.sleep(2)
    for a in held:
        a.close()
    srv.close()
    log(event="server closed", total=conns)

def conntrack(port, count):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)
    srv.setblocking(False)
    held, clients = [], []
    for i in range(count):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        clients.append(c)
        try:
            while True:
                a, _ = srv.accept()
                held.append(a)
        except BlockingIOError:
            pass
        if i % 20 == 19:
            log(event="connect", total=i + 1, accepted=len(held))
            time.sleep(1)
    time.sleep(3)
    try:
        while True:
            a, _ = srv.accept()
            held.append(a)
    except BlockingIOError:
        pass
    log(event="end", total=count, accepted=len(held))
    for s in clients + held:
        s.close()
    srv.close()

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "listen-overflow":
        listen_overflow(int(args[0]), float(args[1]))
    elif cmd == "udp-drops":
        udp_drops(int(args[0]), float(args[1]))
    elif cmd == "syn-flood":
        syn_flood(args[0], int(args[1]), float(args[2]))
    elif cmd == "syn-listener":
        syn_listener(args[0], int(args[1]), float(args[2]))
    elif cmd == "tw-churn":
        tw_churn(int(args[0]), int(args[1]))
    elif cmd == "orphans":
        orphans(int(args[0]), int(args[1]), float(args[2]))
    elif cmd == "tcp-mem":
        tcp_mem(int(args[0]), int(args[1]), float(args[2]))
    elif cmd == "conntrack":
        conntrack(int(args[0]), int(args[1]))
    else:
        sys.exit("unknown workload " + cmd)
