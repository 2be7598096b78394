#!/bin/sh
# sockscope-capture.sh: capture socket statistics for `sockscope analyze`, one block a pass.
#
# Needs only a POSIX sh, coreutils, iproute2 (ss) and, optionally, lsof. Run it as root on the
# host with the problem (root sees every process in ss -p and lsof); stop it with Ctrl-C or
# kill (it finishes the pass it is in and exits). Every pass appends to DIR/sockets.log:
#   a UTC ISO timestamp, /proc/net/sockstat, sockstat6, snmp, netstat and `ss -s`;
# every Nth pass also `ss -tanp` and `lsof -nP -i TCP` (which process holds the sockets).
# When sockets.log reaches the rotation size it is renamed with the time and gzipped; the
# oldest .gz files are removed to keep DIR under the disk bound. Send DIR (or a tar of it):
#   sockscope analyze DIR/
#
# Usage: sh sockscope-capture.sh [-i SECONDS] [-n N] [-d DIR] [-r MB] [-m MB] [-c PASSES]
#   -i  seconds between passes (default 60)
#   -n  ss -tanp and lsof every N passes (default 10; 0: never)
#   -d  output directory (default ./sockscope-capture)
#   -r  rotate sockets.log at this many MB (default 10)
#   -m  keep DIR under this many MB in all (default 200)
#   -c  stop after this many passes (default 0: until stopped)

interval=60 every=10 dir=./sockscope-capture rotate_mb=10 max_mb=200 count=0
while getopts i:n:d:r:m:c:h opt; do
  case $opt in
    i) interval=$OPTARG ;;
    n) every=$OPTARG ;;
    d) dir=$OPTARG ;;
    r) rotate_mb=$OPTARG ;;
    m) max_mb=$OPTARG ;;
    c) count=$OPTARG ;;
    *) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
done
for v in "$interval" "$every" "$rotate_mb" "$max_mb" "$count"; do
  case $v in '' | *[!0-9]*) echo "sockscope-capture: not a whole number: $v" >&2; exit 2 ;; esac
done

mkdir -p "$dir" || exit 2
log=$dir/sockets.log
stop=0
sleeper=
# Stop cleanly: finish the pass, end the sleep, exit 0.
trap 'stop=1; [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null' INT TERM HUP

# Rotate sockets.log once it is big enough, then drop the oldest archives past the bound.
rotate() {
  size=$(wc -c < "$log" 2>/dev/null || echo 0)
  if [ "$size" -ge $((rotate_mb * 1048576)) ]; then
    old=$dir/sockets-$(date -u +%Y%m%dT%H%M%SZ).log
    mv "$log" "$old" && gzip -f "$old"
  fi
  while :; do
    total=$(du -sk "$dir" | cut -f1)
    [ "$total" -le $((max_mb * 1024)) ] && break
    oldest=$(ls -1 "$dir"/sockets-*.log.gz 2>/dev/null | head -n 1)
    [ -n "$oldest" ] || break
    rm -f "$oldest"
  done
}

pass=0
while [ "$stop" -eq 0 ]; do
  {
    date -u +%Y-%m-%dT%H:%M:%SZ
    cat /proc/net/sockstat /proc/net/sockstat6 /proc/net/snmp /proc/net/netstat 2>/dev/null
    ss -s
    if [ "$every" -gt 0 ] && [ $((pass % every)) -eq 0 ]; then
      ss -tanp
      if command -v lsof >/dev/null 2>&1; then lsof -nP -i TCP 2>/dev/null; fi
    fi
  } >> "$log"
  pass=$((pass + 1))
  rotate
  if [ "$count" -gt 0 ] && [ "$pass" -ge "$count" ]; then break; fi
  [ "$stop" -eq 0 ] || break
  sleep "$interval" &
  sleeper=$!
  wait "$sleeper" 2>/dev/null
  sleeper=
done
exit 0
