#!/bin/sh
# Real sysstat captures on the build machine (Debian sysstat 12.6.1), for the sar text and
# sadf readers: one binary data file of all activities (sar -A, 5 records 1 s apart, in the
# host zone Europe/Berlin), then what people send of it:
#   sar-A-C.txt          sar -A in the C locale (24-hour clock, MM/DD/YY)
#   sar-A-en_US.txt      sar -A in en_US (12-hour clock, AM/PM, MM/DD/YYYY)
#   sar-A-zh_CN.txt      sar -A in zh_CN (localized date and clock)
#   sar-SOCK-de_DE.txt   sar -n SOCK,SOCK6 in de_DE (DD.MM.YYYY)
#   sadf-d-A.txt         sadf -d over all activities (UTC, as sadf prints by default)
#   sadf-j-A.txt         sadf -j over all activities, on purpose not named .json
# The binary sa.bin is not kept. Run as root (localedef).
set -eu
cd "$(dirname "$0")"
for l in en_US zh_CN de_DE; do localedef -i "$l" -f UTF-8 "$l.UTF-8" 2>/dev/null || true; done
export TZ=Europe/Berlin
rm -f sa.bin
LC_ALL=C sar -A -o sa.bin 1 5 > /dev/null
LC_ALL=C sar -A -f sa.bin > sar-A-C.txt
LC_ALL=en_US.UTF-8 sar -A -f sa.bin > sar-A-en_US.txt
LC_ALL=zh_CN.UTF-8 sar -A -f sa.bin > sar-A-zh_CN.txt
LC_ALL=de_DE.UTF-8 sar -n SOCK,SOCK6 -f sa.bin > sar-SOCK-de_DE.txt
LC_ALL=C sadf -d sa.bin -- -A > sadf-d-A.txt
LC_ALL=C sadf -j sa.bin -- -A > sadf-j-A.txt
rm -f sa.bin
