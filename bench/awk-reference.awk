# The one-pass extractor a support engineer would otherwise write, run with mawk:
#   mawk -f bench/awk-reference.awk capture.log > out.csv
# One row per `date` line: time string, the sockstat/sockstat6 fields, estab and closed from ss -s.
BEGIN { OFS = ","; print "time,used,tcp_inuse,orphan,tw,alloc,tcp_mem,udp_inuse,udp_mem,udplite,raw,frag_inuse,frag_mem,tcp6,udp6,udplite6,raw6,frag6_inuse,frag6_mem,estab,closed" }
function emit() { if (t != "") print t, used, ti, orph, tw, alloc, tmem, ui, umem, ul, raw, fi, fm, t6, u6, ul6, r6, f6i, f6m, estab, closed }
/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) / { emit(); t = $0; used = ti = orph = tw = alloc = tmem = ui = umem = ul = raw = fi = fm = t6 = u6 = ul6 = r6 = f6i = f6m = estab = closed = ""; next }
$1 == "sockets:" { used = $3; next }
$1 == "TCP:" && $2 == "inuse" { ti = $3; orph = $5; tw = $7; alloc = $9; tmem = $11; next }
$1 == "TCP:" { e = $4; sub(/,/, "", e); estab = e; c = $6; sub(/,/, "", c); closed = c; next }
$1 == "UDP:" { ui = $3; umem = $5; next }
$1 == "UDPLITE:" { ul = $3; next }
$1 == "RAW:" { raw = $3; next }
$1 == "FRAG:" { fi = $3; fm = $5; next }
$1 == "TCP6:" { t6 = $3; next }
$1 == "UDP6:" { u6 = $3; next }
$1 == "UDPLITE6:" { ul6 = $3; next }
$1 == "RAW6:" { r6 = $3; next }
$1 == "FRAG6:" { f6i = $3; f6m = $5; next }
END { emit() }
