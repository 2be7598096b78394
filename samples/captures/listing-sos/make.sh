#!/bin/bash
# Real capture of the socket listings a sosreport keeps, with the counters of the same moment,
# laid out under sos's own file names (sos 3.x and 4.x): one python3 process holds 60
# unconnected TCP sockets (40 IPv4, 20 IPv6) and has 3 named threads besides its main one
# (lsof repeats every descriptor on each thread's row), plus sockets of other netids (icmp6,
# mptcp, v_str, p_raw), a UDP socket with unread datagrams and drops, and a listener with a
# full accept queue; another python3 process holds 300 CLOSE-WAIT sockets.
# Commands are sos's, with stderr kept in the file as sos does; lsof is limited to the two
# workload processes (-p; -K -a keeps the rows of their threads, which lsof 4.9x lists
# by default without -p; -d leaves out the program, library and directory rows, which hold
# paths of this machine) to keep the files small (sos lists every process).
# Usage (root): make.sh   (writes sosreport-vm-listing/ and lsof-nP.txt here)
# The files kept here come from the second of two runs a few seconds apart (the first run's
# connections are the second's TIME-WAIT sockets), made in a private mount namespace
# (`unshare -m`) from which the mounts of the capturing tools were unmounted first: sos's
# `lsof -b` prints a warning naming every mount point it will not stat.
set -eu
cd "$(dirname "$0")"
R=sosreport-vm-listing
rm -rf $R lsof-nP.txt; mkdir -p $R/proc/net $R/sos_commands/{date,networking,process}
T=$(mktemp -d)   # workload logs go here first: lsof shows the open log files
W=$PWD/workload.py
(cd $T && exec python3 $W cwserver 40 > workload-cwserver.jsonl) & S=$!
sleep 1
(cd $T && exec python3 $W hold 40 > workload-hold.jsonl) & H=$!
(cd $T && exec python3 $W cwclient 40 > workload-cwclient.jsonl) & C=$!
until grep -q ready $T/workload-hold.jsonl 2>/dev/null && grep -q ready $T/workload-cwclient.jsonl 2>/dev/null; do sleep 0.2; done
sleep 1
date > $R/sos_commands/date/date
date --utc > $R/sos_commands/date/date_--utc
hostname > $R/hostname
cat /proc/net/sockstat > $R/proc/net/sockstat
cat /proc/net/sockstat6 > $R/proc/net/sockstat6
cat /proc/net/snmp > $R/proc/net/snmp
ss -s > $R/sos_commands/networking/ss_-s 2>&1
ss -peaonmi > $R/sos_commands/networking/ss_-peaonmi 2>&1
ss -tupna > $R/sos_commands/networking/ss_-tupna 2>&1
netstat -W -neopa > $R/sos_commands/networking/netstat_-W_-neopa 2>&1 || true
lsof -b +M -n -l -K -a -p $H,$S -d '^txt,^mem,^cwd,^rtd' > $R/sos_commands/process/lsof_-b_M_-n_-l 2>&1 || true
lsof +M -n -l -c '' -a -p $H,$S -d '^txt,^mem,^cwd,^rtd' > $R/sos_commands/process/lsof_M_-n_-l_-c 2>&1 || true
lsof -nP -K -a -p $H,$S -d '^txt,^mem,^cwd,^rtd' > lsof-nP.txt 2>&1 || true
kill $H $S $C 2>/dev/null || true
wait 2>/dev/null || true
mv $T/workload-*.jsonl . && rmdir $T
