#!/bin/bash
# The capture loop of these samples: per block `date`, /proc/net/sockstat, sockstat6, `ss -s`,
# /proc/net/snmp, /proc/net/netstat, then the listing given (e.g. `ss -tlnp`), then the kernel
# log lines (`dmesg -T`) printed since the loop started. Run inside the namespace to watch.
# Usage: loop.sh COUNT INTERVAL 'LISTING COMMAND' > timeline.log
set -u
count=${1:?count}; interval=${2:?interval}; listing=${3:-}
[ "$count" -le 600 ] || { echo "count too large" >&2; exit 2; }
seen=$(dmesg | wc -l)
for ((i = 0; i < count; i++)); do
  date; cat /proc/net/sockstat /proc/net/sockstat6; ss -s
  cat /proc/net/snmp /proc/net/netstat
  [ -n "$listing" ] && $listing
  all=$(dmesg | wc -l)
  [ "$all" -gt "$seen" ] && dmesg -T | tail -n $((all - seen))
  seen=$all
  sleep "$interval"
done
