#!/usr/bin/env python3
"""Drive the real captures in samples/captures/ and write each folder's truth.json.

    python3 samples/captures/capture.py run   SCENARIO [--force]   # capture (needs root)
    python3 samples/captures/capture.py truth SCENARIO             # (re)write truth.json
    python3 samples/captures/capture.py list

Every capture byte comes from `date`, `cat /proc/...`, `ss -s`, `ss -tan`, `sysctl`
run by an unmodified copy of tools/capture/snap.sh (copied to /tmp/snap.sh)
while a known, bounded loopback workload runs.  This script only starts commands, records
their exact command lines and wall-clock times, and afterwards reads the captured files
back to compute the "observed" values of truth.json.  It never writes kernel output itself:
every capture file is written by a shell redirection of the command shown in truth.json.
Namespaces created here (sockscope-a, sockscope-b) are deleted in a finally block.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SNAP = "/tmp/snap.sh"
# The capture tools, kept in the repository (tools/capture/).
TOOLS = HERE.parent.parent / "tools" / "capture"
SNAP_SRC = str(TOOLS / "snap.sh")
WL = str(TOOLS / "workloads.py")
RUNS = Path("/tmp/sockscope-capture-runs")


def now():
    return time.time()


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")


def stamp(t):
    return {"epoch": round(t, 3), "iso": iso(t)}


def read_sockstat_root():
    d = {}
    for path in ("/proc/net/sockstat", "/proc/net/sockstat6"):
        for line in open(path):
            parse_sockstat_line(line, d)
    return d


# ------------------------------------------------------------------ runner

class Run:
    def __init__(self, scenario, force):
        self.scenario = scenario
        self.dir = HERE / scenario
        if self.dir.exists():
            keep = {"workload.py"}
            extra = [p for p in self.dir.iterdir() if p.name not in keep]
            if extra and not force:
                sys.exit(f"{self.dir} already holds captures; use --force to replace them")
            for p in extra:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rec = {"scenario": scenario, "commands": [], "workloads": [], "namespaces": []}
        self.bg = []

    def sh(self, cmd, note=None):
        """Run one shell command line in the scenario folder; record it exactly."""
        t0 = now()
        rc = subprocess.run(cmd, shell=True, executable="/bin/bash", cwd=self.dir).returncode
        t1 = now()
        item = {"cmd": cmd, "cwd": f"samples/captures/{self.scenario}", "start": stamp(t0),
                "end": stamp(t1), "rc": rc}
        if note:
            item["note"] = note
        self.rec["commands"].append(item)
        print(f"[{iso(t1)}] rc={rc} {cmd}", file=sys.stderr)
        return rc

    def start(self, argv, log):
        """Start a bounded workload in the background, stdout to LOG (JSON lines)."""
        out = open(self.dir / log, "w")
        t0 = now()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=self.dir)
        cmd = shlex.join(argv) + f" > {log} &"
        self.rec["commands"].append({"cmd": cmd, "cwd": f"samples/captures/{self.scenario}",
                                     "start": stamp(t0), "background": True, "pid": p.pid})
        self.rec["workloads"].append({"cmd": cmd, "pid": p.pid, "log": log})
        self.bg.append((p, out))
        print(f"[{iso(t0)}] started pid {p.pid}: {cmd}", file=sys.stderr)
        return p

    def wait_all(self, limit=120):
        for p, out in self.bg:
            try:
                p.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                print(f"pid {p.pid} still running after {limit}s: SIGTERM", file=sys.stderr)
                os.kill(p.pid, signal.SIGTERM)
                p.wait(timeout=10)
            out.close()
            for w in self.rec["workloads"]:
                if w["pid"] == p.pid:
                    w["rc"] = p.returncode
        self.bg = []

    def settle(self, max_wait=150):
        """Wait (root namespace) until no TIME_WAIT/orphans are left from earlier runs."""
        t0 = now()
        while True:
            d = read_sockstat_root()
            if d.get("TCP.tw", 0) == 0 and d.get("TCP.orphan", 0) == 0 and d.get("TCP.alloc", 0) <= 3:
                break
            if now() - t0 > max_wait:
                break
            time.sleep(2)
        self.rec["settle_before"] = {"waited_s": round(now() - t0, 1), "root_sockstat_after": d}

    def netns(self, name):
        self.sh(f"ip netns add {name}")
        self.sh(f"ip -n {name} link set lo up")
        self.rec["namespaces"].append(name)

    def cleanup(self):
        for p, out in self.bg:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
                p.wait(timeout=10)
            out.close()
        self.bg = []
        for ns in self.rec["namespaces"]:
            self.sh(f"ip netns del {ns}")

    def save(self):
        RUNS.mkdir(exist_ok=True)
        self.rec["host"] = os.uname().nodename
        self.rec["kernel"] = os.uname().release
        self.rec["ss_version"] = subprocess.run(["ss", "-V"], capture_output=True, text=True).stdout.strip()
        (RUNS / f"{self.scenario}.json").write_text(json.dumps(self.rec, indent=1))


COMBINED = f"{SNAP} combined > combined.txt"
SNMP = f"{SNAP} snmp > snmp.txt"


def sc_netns_leak_host(r):
    r.netns("sockscope-a")
    r.rec["captured_in"] = "network namespace sockscope-a (workload in the root namespace)"
    r.start(["python3", WL, "leak", "--family", "4", "--per-step", "75", "--max", "1500",
             "--delay", "3", "--duration", "45"], "workload-leak.jsonl")
    r.sh(f"ip netns exec sockscope-a {SNAP} tl-date 30 1 > timeline-date.log")
    r.sh(f"ip netns exec sockscope-a {SNAP} combined > combined.txt")
    r.sh(f"ip netns exec sockscope-a {SNAP} snmp > snmp.txt")
    r.sh(f"mkdir -p root-ns && {SNAP} combined > root-ns/combined.txt && {SNAP} snmp > root-ns/snmp.txt",
         note="the same moment seen from the root namespace, for comparison (not part of the namespace series)")
    r.wait_all()


def sc_netns_idle(r):
    r.netns("sockscope-b")
    r.rec["captured_in"] = "network namespace sockscope-b (no workload anywhere)"
    r.sh(f"ip netns exec sockscope-b {SNAP} tl-date 30 1 > timeline-date.log")
    r.sh(f"ip netns exec sockscope-b {SNAP} combined > combined.txt")
    r.sh(f"ip netns exec sockscope-b {SNAP} snmp > snmp.txt")


def sc_unix_leak(r):
    r.rec["captured_in"] = "root network namespace"
    r.start(["python3", "workload.py", "--pairs-per-step", "25", "--step", "1", "--max-sockets", "1500",
             "--delay", "3", "--duration", "50"], "workload-unix.jsonl")
    r.sh(f"{SNAP} tl-date 35 1 > timeline-date.log")
    r.sh(COMBINED)
    r.sh(SNMP)
    r.wait_all()


def sc_capture_gap(r):
    r.rec["captured_in"] = "root network namespace (no workload)"
    r.sh(f"{SNAP} tl-date 10 1 > timeline-date.log")
    r.sh("sleep 20", note="deliberate pause in the capture")
    r.sh(f"{SNAP} tl-date 10 1 >> timeline-date.log")
    r.sh(COMBINED)
    r.sh(SNMP)


def sc_per_minute(r):
    r.rec["captured_in"] = "root network namespace"
    r.sh("mkdir -p snapshots")
    r.start(["python3", WL, "leak", "--family", "4", "--per-step", "100", "--max", "600",
             "--delay", "1", "--duration", "12"], "workload-leak.jsonl")
    r.sh(f"{SNAP} per-minute 3 2 snapshots")
    r.wait_all()


def sc_mixed_sysctl(r):
    r.rec["captured_in"] = "root network namespace"
    r.sh("sysctl -a 2>/dev/null | grep -E '^net\\.ipv4\\.(tcp_mem|tcp_max_orphans|tcp_max_tw_buckets|udp_mem"
         "|ipfrag_high_thresh|ip_local_port_range) ' > sysctl_-a")
    r.sh("mkdir -p proc/sys/net/ipv4 && for n in tcp_mem tcp_max_orphans tcp_max_tw_buckets udp_mem "
         "ipfrag_high_thresh ip_local_port_range; do cat /proc/sys/net/ipv4/$n > proc/sys/net/ipv4/$n; done")
    r.start(["python3", WL, "mixed", "--duration", "45"], "workload-mixed.jsonl")
    r.sh(f"{SNAP} tl-date 35 1 > timeline-date.log")
    r.sh(COMBINED)
    r.sh(SNMP)
    r.wait_all()


def sc_close_wait(r):
    r.rec["captured_in"] = "root network namespace"
    r.start(["python3", WL, "cwserver", "--port", "20002", "--duration", "40"], "workload-cwserver.jsonl")
    r.start(["python3", WL, "cwclient", "--port", "20002", "--rate", "25", "--count", "250",
             "--delay", "3", "--duration", "30"], "workload-cwclient.jsonl")
    r.sh(f"{SNAP} tl-date 20 1 tan > timeline-date.log")
    r.sh(COMBINED)
    r.sh(SNMP)
    r.wait_all()


SCENARIOS = {
    "netns-idle": sc_netns_idle,
    "capture-gap": sc_capture_gap,
    "netns-leak-host": sc_netns_leak_host,
    "unix-leak": sc_unix_leak,
    "per-minute-files": sc_per_minute,
    "close-wait": sc_close_wait,
    "mixed-sysctl": sc_mixed_sysctl,
}


def do_run(name, force):
    if not os.path.exists(SNAP):
        shutil.copy(SNAP_SRC, SNAP)
        os.chmod(SNAP, 0o755)
    assert open(SNAP, "rb").read() == open(SNAP_SRC, "rb").read(), "snap.sh copy differs"
    r = Run(name, force)
    try:
        r.settle()
        r.rec["start"] = stamp(now())
        SCENARIOS[name](r)
        r.rec["end"] = stamp(now())
    finally:
        r.cleanup()
        r.save()
    write_truth(name)


# ------------------------------------------------------------------ parsing captures

DATE_RE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d [A-Z]+ \d{4}$")
SS_TCP_RE = re.compile(r"^TCP:\s+(-?\d+) \(estab (-?\d+), closed (-?\d+), orphaned (-?\d+), timewait (-?\d+)\)")
ROW_RE = re.compile(r"^(RAW|UDP|TCP|INET|FRAG)\t\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)")
TAN_STATES = {"ESTAB", "LISTEN", "CLOSE-WAIT", "TIME-WAIT", "FIN-WAIT-1", "FIN-WAIT-2", "SYN-SENT",
              "SYN-RECV", "LAST-ACK", "CLOSING", "UNCONN", "CLOSED"}


def parse_sockstat_line(line, d):
    m = re.match(r"^(sockets|[A-Z0-9]+):((?: [a-z]+ -?\d+)+)\s*$", line)
    if not m:
        return False
    toks = m.group(2).split()
    for k, v in zip(toks[::2], toks[1::2]):
        d[f"{m.group(1)}.{k}"] = int(v)
    return True


def parse_block(lines):
    d, tan = {}, {}
    for line in lines:
        line = line.rstrip("\n")
        if parse_sockstat_line(line, d):
            continue
        if line.startswith("Total:"):
            d["ss.total"] = int(line.split()[1])
        elif (m := SS_TCP_RE.match(line)):
            for k, v in zip(("tcp", "estab", "closed", "orphaned", "timewait"), m.groups()):
                d[f"ss.{k}"] = int(v)
        elif (m := ROW_RE.match(line)):
            d[f"ss.row.{m.group(1)}"] = [int(x) for x in m.groups()[1:]]
        elif line.split(" ")[0] in TAN_STATES:
            st = line.split()[0]
            tan[st] = tan.get(st, 0) + 1
    if tan or any(l.startswith("State ") for l in lines):
        d["tan"] = tan
    return d


def derive(d):
    v = dict(d)
    if "TCP.alloc" in d:
        v["tcp_unhashed"] = d["TCP.alloc"] - d["TCP.inuse"] - d.get("TCP6.inuse", 0)
        v["expected_closed"] = d["TCP.alloc"] - (d["TCP.inuse"] + d.get("TCP6.inuse", 0) - d["TCP.tw"])
        v["netns_excess"] = d["TCP.alloc"] - d["TCP.orphan"] - d["sockets.used"]
    return v


def parse_timeline(path):
    blocks, cur, cur_date = [], [], None
    for line in open(path):
        if DATE_RE.match(line.rstrip("\n")):
            if cur_date is not None:
                blocks.append((cur_date, parse_block(cur)))
            cur_date, cur = line.strip(), []
        else:
            cur.append(line)
    if cur_date is not None:
        blocks.append((cur_date, parse_block(cur)))
    return blocks


def date_epoch(s):
    return datetime.strptime(s, "%a %b %d %H:%M:%S %Z %Y").replace(tzinfo=timezone.utc).timestamp()


FIELDS = [
    ("closed", "ss.closed"), ("timewait", "ss.timewait"), ("orphaned", "ss.orphaned"),
    ("estab", "ss.estab"), ("ss_total", "ss.total"), ("tcp_alloc", "TCP.alloc"),
    ("tcp_inuse", "TCP.inuse"), ("tcp6_inuse", "TCP6.inuse"), ("tcp_tw", "TCP.tw"),
    ("tcp_orphan", "TCP.orphan"), ("tcp_mem_pages", "TCP.mem"), ("udp_inuse", "UDP.inuse"),
    ("udp6_inuse", "UDP6.inuse"), ("udp_mem_pages", "UDP.mem"), ("raw_inuse", "RAW.inuse"),
    ("raw6_inuse", "RAW6.inuse"), ("sockets_used", "sockets.used"),
    ("tcp_unhashed", "tcp_unhashed"), ("alloc_minus_orphan_minus_used", "netns_excess"),
]


def fmm(vals):
    vals = [x for x in vals if x is not None]
    if not vals:
        return None
    return {"first": vals[0], "min": min(vals), "max": max(vals), "last": vals[-1]}


def linfit(ys):
    n = len(ys)
    xs = list(range(n))
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    syy = sum((y - my) ** 2 for y in ys)
    slope = sxy / sxx if sxx else 0.0
    r2 = (sxy * sxy) / (sxx * syy) if sxx and syy else 0.0
    return slope, r2


def race(d):
    out = {}
    if "ss.closed" in d and "expected_closed" in d:
        out["tcp_consistent"] = d["ss.closed"] == d["expected_closed"] and d["ss.tcp"] == d["TCP.alloc"] + d["TCP.tw"]
        out["ss_closed"], out["expected_closed"] = d["ss.closed"], d["expected_closed"]
    if "ss.total" in d:
        out["total_vs_sockets_used"] = [d["ss.total"], d["sockets.used"]]
        out["total_consistent"] = d["ss.total"] == d["sockets.used"]
    return out


def observe_series(blocks, with_tan=False):
    ds = [derive(b) for _, b in blocks]
    epochs = [date_epoch(s) for s, _ in blocks]
    intervals = [b - a for a, b in zip(epochs, epochs[1:])]
    obs = {"snapshots": len(blocks), "first": blocks[0][0], "last": blocks[-1][0]}
    for name, key in FIELDS:
        r = fmm([d.get(key) for d in ds])
        if r is not None:
            obs[name] = r
    if intervals:
        med = statistics.median(intervals)
        obs["intervals_s"] = {"median": med, "max": max(intervals),
                              "max_after": blocks[intervals.index(max(intervals)) + 1][0],
                              "max_over_median": round(max(intervals) / med, 1) if med else None}
    for key in ("sockets.used", "tcp_unhashed"):
        ys = [d[key] for d in ds if key in d]
        if len(ys) >= 2:
            s, r2 = linfit(ys)
            obs.setdefault("linear_fit_per_snapshot", {})[key] = {"slope": round(s, 2), "r2": round(r2, 3),
                                                                   "delta": ys[-1] - ys[0]}
    if intervals:
        obs["blocks_meeting"] = {
            "tcp_unhashed>=100": sum(1 for d in ds if d.get("tcp_unhashed", 0) >= 100),
            "tcp_unhashed>=1000": sum(1 for d in ds if d.get("tcp_unhashed", 0) >= 1000),
            "alloc-orphan-used>=50": sum(1 for d in ds if d.get("netns_excess", 0) >= 50),
            "interval>3x_median": sum(1 for x in intervals if x > 3 * med),
        }
        first50 = next((blocks[i][0] for i, d in enumerate(ds) if d.get("netns_excess", 0) >= 50), None)
        if first50:
            obs["blocks_meeting"]["first_block_alloc-orphan-used>=50"] = first50
    raced = [i for i, d in enumerate(ds) if race(d).get("tcp_consistent") is False]
    tot = [i for i, d in enumerate(ds) if race(d).get("total_consistent") is False]
    worst = max((abs(ds[i]["ss.closed"] - ds[i]["expected_closed"]) for i in raced), default=0)
    rc = {"blocks": len(ds), "tcp_raced_blocks": len(raced), "worst_closed_difference": worst,
          "total_vs_used_differs": len(tot),
          "worst_total_difference": max((abs(ds[i]["ss.total"] - ds[i]["sockets.used"]) for i in tot), default=0)}
    if with_tan:
        tans = [d.get("tan", {}) for d in ds]
        states = sorted({k for t in tans for k in t})
        obs["ss_tan_states"] = {st: fmm([t.get(st, 0) for t in tans]) for st in states}
        obs["ss_tan_lines_per_block"] = fmm([sum(t.values()) for t in tans])
    return obs, rc


def observe_snapshot(path):
    d = derive(parse_block(open(path).read().split("\n")))
    out = {"TCP": {k.split(".")[1]: d[k] for k in d if k.startswith("TCP.")},
           "TCP6.inuse": d.get("TCP6.inuse"), "UDP": {k.split(".")[1]: d[k] for k in d if k.startswith("UDP.")},
           "sockets.used": d.get("sockets.used")}
    if "ss.tcp" in d:
        out["ss_s_tcp_line"] = {k: d[f"ss.{k}"] for k in ("tcp", "estab", "closed", "orphaned", "timewait")}
        out["ss_s_total"] = d["ss.total"]
        out["closed_minus_timewait"] = d["ss.closed"] - d["ss.timewait"]
    out["alloc_minus_orphan_minus_used"] = d.get("netns_excess")
    return out, race(d)


def snmp_values(path):
    lines = [l.split() for l in open(path) if l.startswith("Tcp:")]
    if len(lines) >= 2:
        return dict(zip(lines[0][1:], [int(x) for x in lines[1][1:]]))
    return {}


def workload_summary(dirpath, w):
    evs = [json.loads(l) for l in open(dirpath / w["log"]) if l.startswith("{")]
    out = dict(w)
    out["started"] = next((e for e in evs if e["ev"] == "start"), None)
    out["ended"] = next((e for e in evs if e["ev"] == "exit"), None)
    steps = [{"t": e["t"], "total": e["total"]} for e in evs if e["ev"] == "leak"]
    if steps:
        out["steps_first_last"] = [steps[0], steps[-1]]
        out["steps"] = len(steps)
    other = [e for e in evs if e["ev"] not in ("start", "exit", "leak")]
    if other:
        out["events_last"] = {}
        for e in other:
            out["events_last"][e["ev"]] = e
    return out


# ------------------------------------------------------------------ truth.json

META = {
    "netns-leak-host": {
        "description": (
            "A fresh network namespace sockscope-a (lo up, no sockets of its own) is captured while a process in the "
            "ROOT namespace leaks unconnected AF_INET stream sockets (+75 per second from t+3 s to 1500, then held). "
            "Inside the namespace TCP alloc and orphan (and mem) are host-wide, while inuse, tw and 'sockets: used' are "
            "per namespace: so ss -s in the namespace shows closed rising 1->1501 (1 = the host's own listener) with 'Total' 0 "
            "and the TCP row 0. The namespace itself has no leak."),
        "expected_findings": {
            "must_raise": ["netns-global-counters"],
            "may_raise": ["tcp-unhashed-sockets", "tcp-unhashed-growth"],
            "must_not_raise": ["sockets-used-growth", "tcp-timewait-high", "tcp-orphans-high", "capture-gap",
                               "capture-inconsistent"],
        },
        "severity_expectations": {
            "tcp-unhashed-sockets": "if raised, it must yield to netns-global-counters: severity info (not warning/critical) and its note must say the count includes other namespaces' sockets (alloc is host-wide) and is not evidence of a leak here",
            "tcp-unhashed-growth": "if raised, same: severity info with the netns-global-counters note (the rise is in another namespace)",
        },
        "expected_pattern": ("First 3 snapshots: alloc = host baseline 1, closed = alloc. Then alloc and closed rise by ~75 per "
                             "snapshot to ~1500 and stay flat; sockets used / ss Total stay ~0, TCP inuse 0, tw 0 in the "
                             "namespace. alloc - orphan - sockets used >= 50 from the 2nd leak step on. root-ns/combined.txt "
                             "shows the same moment from the root namespace: sockets used ~1500, the leak is visible there."),
    },
    "netns-idle": {
        "description": ("A fresh network namespace sockscope-b (lo up) is captured with no workload anywhere. "
                        "alloc (host-wide) is the host's baseline TCP socket count; the namespace has no sockets."),
        "expected_findings": {
            "must_raise": [],
            "may_raise": [],
            "must_not_raise": ["netns-global-counters", "tcp-unhashed-sockets", "tcp-unhashed-growth",
                               "sockets-used-growth", "tcp-timewait-high", "tcp-orphans-high", "capture-gap",
                               "capture-inconsistent"],
        },
        "notes": ["Even idle, the namespace view is skewed: alloc 1 (the host's one listener, in the root namespace) gives closed 1 with ss Total 0 and TCP row 0; alloc - orphan - sockets used = 1, far below min_excess 50."],
        "expected_pattern": "Flat: alloc = host baseline (a few), sockets used ~0, closed = alloc, tw 0.",
    },
    "unix-leak": {
        "description": ("One process (workload.py in this folder) creates AF_UNIX SOCK_STREAM socketpairs, 25 pairs "
                        "(+50 sockets) per second from t+3 s up to 1500 sockets, and holds them. 'sockets: used' (and ss "
                        "Total) rises by ~50 per snapshot while TCP alloc/inuse and UDP inuse stay at baseline. "
                        "Captured in the root namespace."),
        "expected_findings": {
            "must_raise": ["sockets-used-growth"],
            "may_raise": [],
            "must_not_raise": ["tcp-unhashed-sockets", "tcp-unhashed-growth", "netns-global-counters",
                               "tcp-timewait-high", "tcp-orphans-high", "capture-gap", "capture-inconsistent"],
        },
        "expected_pattern": "sockets used baseline -> baseline+1500 linearly (~50/snapshot) then flat; closed 0, tw 0, TCP inuse/alloc flat.",
    },
    "capture-gap": {
        "description": ("Quiet host, root namespace: 10 tl-date blocks 1 s apart, then `sleep 20`, then 10 more blocks "
                        "appended to the same timeline-date.log. The interval across the pause is ~21 s against a median "
                        "of 1 s."),
        "expected_findings": {
            "must_raise": ["capture-gap"],
            "may_raise": [],
            "must_not_raise": ["tcp-unhashed-sockets", "tcp-unhashed-growth", "sockets-used-growth",
                               "netns-global-counters", "tcp-timewait-high", "tcp-orphans-high",
                               "capture-inconsistent"],
        },
        "notes": ["sockets used drifted 11 -> 25 during the capture (+14, other processes on the shared VM; no workload of this scenario): far below sockets-used-growth's min_delta 100."],
        "expected_pattern": "20 flat idle blocks; the 11th block follows the 10th after ~21 s (>3x the median 1 s) — capture-gap fires on that snapshot only.",
    },
    "per-minute-files": {
        "description": ("`snap.sh per-minute 3 2 snapshots`: three snapshot file sets 2 s apart, each file named by UTC "
                        "time (<YYYY-MM-DDTHH-MM-SSZ>.sockstat, .sockstat6, .ss-s), while workloads.py leak creates "
                        "unconnected AF_INET stream sockets (+100 per second from t+1 s, up to 600). The captures are in "
                        "snapshots/; the folder itself also holds the workload log and this truth.json."),
        "expected_findings": {
            "must_raise": ["tcp-unhashed-sockets"],
            "may_raise": [],
            "must_not_raise": ["tcp-unhashed-growth", "sockets-used-growth", "netns-global-counters",
                               "tcp-timewait-high", "tcp-orphans-high", "capture-gap", "capture-inconsistent"],
        },
        "notes": ["Only 3 snapshots: the series rules need 5 points (min_points), so tcp-unhashed-growth and sockets-used-growth cannot fire even though the leak grows.",
                  "tcp-unhashed-sockets (>= 100) fires on the 2nd snapshot (unhashed exactly 100, the default threshold) and the 3rd (400); warning, not critical (< 1000).",
                  "Each snapshot is three separate reads (sockstat, sockstat6, ss -s) of the same second; all three agree in every snapshot here."],
        "expected_pattern": "unhashed rises ~200 per snapshot: see observed_in_snapshots.",
    },
    "mixed-sysctl": {
        "description": ("`workloads.py mixed --duration 45` in the root namespace: 15 listeners (8 idle v4 + 4 idle v6, plus "
                        "a v4 and a v6 listener holding accepted connections and a v4 TIME_WAIT peer), 150 v4 + 50 v6 "
                        "ESTABLISHED loopback pairs (25 pairs per family per second), a TIME_WAIT trickle of 40 short "
                        "connections per second, a leak of unconnected AF_INET sockets at 10 per second up to 300, and "
                        "20 UDP + 10 UDP6 bound sockets. The folder also holds this machine's real limits: `sysctl_-a` "
                        "(the grep'd lines exactly as sysctl printed them) and proc/sys/net/ipv4/<name> (cat of each), "
                        "as a sosreport lays them out (a real sos keeps sysctl_-a under sos_commands/kernel/)."),
        "expected_findings": {
            "must_raise": ["tcp-unhashed-sockets", "tcp-unhashed-growth"],
            "may_raise": ["capture-inconsistent"],
            "must_not_raise": ["tcp-timewait-high", "tcp-orphans-high", "tcp-memory-pressure", "udp-memory-high",
                               "frag-memory-high", "netns-global-counters", "sockets-used-growth", "capture-gap"],
        },
        "notes": ["Limits from sysctl_-a: tw max 1272 vs tcp_max_tw_buckets 131072 (warning at 50%), TCP mem 260 pages vs tcp_mem pressure 383865, UDP mem 0, orphans 0.",
                  "sockets-used-growth must not fire: sockets used +745 but TCP alloc (+715) and UDP inuse (+20) explain it.",
                  "Race: the block of Wed Nov 25 03:59:40 UTC 2026 was read while 50 connections per second were being set up: ss -s Total 335 vs sockets used 275, ss TCP 377 vs alloc+tw 316, closed 111 vs 100. capture-inconsistent may fire on that block (info); 15 other blocks differ by 1 (TIME_WAIT trickle). combined.txt differs by 1 (closed 1608 vs 1607)."],
        "expected_pattern": "estab rises to ~400 in the first ~8 s then flat; timewait climbs ~40 per snapshot; unhashed (closed - timewait) climbs ~10 per snapshot to ~300.",
    },
    "close-wait": {
        "description": ("`workloads.py cwserver` accepts, reads the request and never closes; `workloads.py cwclient` "
                        "connects 25 times per second from t+3 s (250 in all), sends PING and closes. The server side "
                        "stays in CLOSE-WAIT (held, counted in inuse and, on this kernel, in CurrEstab -> ss 'estab'); "
                        "the client side is an orphaned FIN-WAIT-2, kept as a timewait minisock (counted in tw). "
                        "`snap.sh tl-date 20 1 tan` adds the full `ss -tan` listing after each block."),
        "expected_findings": {
            "must_raise": [],
            "may_raise": [],
            "must_not_raise": ["tcp-unhashed-sockets", "tcp-unhashed-growth", "netns-global-counters",
                               "sockets-used-growth", "tcp-timewait-high", "tcp-orphans-high", "capture-gap",
                               "capture-inconsistent"],
        },
        "notes": ["No rule targets CLOSE-WAIT yet, so must_raise is empty on purpose. Negative fixture for tcp-unhashed-*: closed reaches 250 but all of it is timewait (closed - timewait = 0).",
                  "6 blocks raced by 1-2 sockets while connections were being made (ss TCP vs alloc+tw, Total vs sockets used); combined.txt agrees exactly.",
                  "See observed for what a future CLOSE-WAIT rule could use: ss -tan CLOSE-WAIT count, estab (CurrEstab counts CLOSE-WAIT on this kernel) vs the TCP row."],
        "expected_pattern": "estab and timewait rise together by ~25 per snapshot to 250; closed = timewait (unhashed 0); ss -tan lists 250 CLOSE-WAIT + 250 FIN-WAIT-2.",
    },
}


def write_truth(name):
    d = HERE / name
    rec_path = RUNS / f"{name}.json"
    if rec_path.exists():
        rec = json.loads(rec_path.read_text())
    else:  # rebuild from an existing truth.json
        old = json.loads((d / "truth.json").read_text())
        rec = {k: old[k] for k in ("scenario", "host", "kernel", "ss_version", "captured_in", "start", "end",
                                    "commands", "settle_before") if k in old}
        rec["workloads"] = [{k: w[k] for k in ("cmd", "pid", "log", "rc") if k in w} for w in old.get("workloads", [])]
    meta = META[name]
    t = {"scenario": name, "description": meta["description"], "host": rec["host"], "kernel": rec["kernel"],
         "ss_version": rec["ss_version"], "captured_in": rec.get("captured_in"),
         "start": rec["start"], "end": rec["end"],
         "snap_sh": "unmodified copy of tools/capture/snap.sh at /tmp/snap.sh",
         "commands": rec["commands"],
         "workloads": [workload_summary(d, w) for w in rec["workloads"]],
         "expected_findings": meta["expected_findings"]}
    for k in ("severity_expectations", "notes", "expected_pattern"):
        if k in meta:
            t[k] = meta[k]
    if (d / "timeline-date.log").exists():
        obs, rc = observe_series(parse_timeline(d / "timeline-date.log"), with_tan=(name == "close-wait"))
        t["observed_in_timeline_date"] = obs
        t.setdefault("race_check", {})["timeline-date.log"] = rc
    if (d / "combined.txt").exists():
        o, rc = observe_snapshot(d / "combined.txt")
        t["observed_in_combined"] = {"combined.txt": o}
        t.setdefault("race_check", {})["combined.txt"] = rc
        cmd = next((c for c in rec["commands"] if "combined > combined.txt" in c["cmd"]), None)
        if cmd:
            t["combined_captured_at"] = cmd["start"]
    if (d / "root-ns" / "combined.txt").exists():
        o, rc = observe_snapshot(d / "root-ns" / "combined.txt")
        t["observed_in_combined"]["root-ns/combined.txt"] = o
        t["race_check"]["root-ns/combined.txt"] = rc
    if (d / "snmp.txt").exists():
        s = snmp_values(d / "snmp.txt")
        t["observed_in_snmp"] = {"snmp.txt": {k: s.get(k) for k in ("CurrEstab", "ActiveOpens", "PassiveOpens")}}
        if (d / "root-ns" / "snmp.txt").exists():
            s = snmp_values(d / "root-ns" / "snmp.txt")
            t["observed_in_snmp"]["root-ns/snmp.txt"] = {k: s.get(k) for k in ("CurrEstab", "ActiveOpens", "PassiveOpens")}
    if (d / "snapshots").exists():
        snaps = {}
        for f in sorted((d / "snapshots").iterdir()):
            ts, ext = f.name.split(".", 1)
            snaps.setdefault(ts, {})[ext] = f
        rows = []
        for ts, fs in sorted(snaps.items()):
            blk = {}
            for f in fs.values():
                blk.update(parse_block(open(f).read().split("\n")))
            dd = derive(blk)
            rows.append({"time": ts, "files": sorted(f.name for f in fs.values()),
                         "sockets_used": dd["sockets.used"], "tcp_alloc": dd["TCP.alloc"],
                         "tcp_inuse": dd["TCP.inuse"], "tcp6_inuse": dd["TCP6.inuse"], "tcp_tw": dd["TCP.tw"],
                         "ss_closed": dd.get("ss.closed"), "ss_timewait": dd.get("ss.timewait"),
                         "tcp_unhashed": dd["tcp_unhashed"], "race": race(dd)})
        t["observed_in_snapshots"] = rows
    if (d / "sysctl_-a").exists():
        lim = {}
        for line in open(d / "sysctl_-a"):
            k, v = line.rstrip("\n").split(" = ", 1)
            lim[k] = [int(x) for x in v.split()]
        t["limits_in_sysctl_-a"] = lim
        pf = {}
        for f in sorted((d / "proc/sys/net/ipv4").iterdir()):
            pf[f.name] = [int(x) for x in f.read_text().split()]
        t["limits_in_proc_sys"] = pf
        t["limits_agree"] = all(lim.get("net.ipv4." + k) == v for k, v in pf.items())
    if "settle_before" in rec:
        t["settle_before"] = rec["settle_before"]
    (d / "truth.json").write_text(json.dumps(t, indent=1) + "\n")
    print(f"wrote {d / 'truth.json'}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("scenario", choices=list(SCENARIOS))
    r.add_argument("--force", action="store_true")
    tr = sub.add_parser("truth")
    tr.add_argument("scenario", choices=list(SCENARIOS))
    sub.add_parser("list")
    a = p.parse_args()
    if a.cmd == "run":
        do_run(a.scenario, a.force)
    elif a.cmd == "truth":
        write_truth(a.scenario)
    else:
        print("\n".join(SCENARIOS))


if __name__ == "__main__":
    main()
