#!/bin/sh
# Real `date` output of glibc in the locales a capture loop is often run in, for
# test/fixtures/locale-dates/ (Debian 12, glibc 2.36, package locales-all):
#   sh tools/capture/locale-dates.sh > test/fixtures/locale-dates/dates.tsv
#   sh tools/capture/locale-dates.sh months   (the month names: src/parse/month-names.ts holds them,
#   each lowercased without its final dot, grouped by month; a name of two months would be left out)
# dates.tsv: locale, epoch seconds, TZ, then what `date -d @epoch` printed there.
LOCALES="C en_US de_DE de_AT de_CH fr_FR fr_CA es_ES es_MX it_IT pt_BR pt_PT nl_NL ru_RU pl_PL tr_TR sv_SE da_DK nb_NO cs_CZ sk_SK uk_UA ro_RO id_ID hu_HU fi_FI zh_CN zh_TW ja_JP ko_KR"
if [ "$1" = months ]; then
  for l in $LOCALES; do
    for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
      for f in %b %B %Ob %OB; do
        printf '%s\t%s\n' "$m" "$(LC_ALL=$l.UTF-8 date -d "2026-$m-15 12:00" "+$f" 2>/dev/null || LC_ALL=$l date -d "2026-$m-15 12:00" "+$f")"
      done
    done
  done | sort -u
  exit 0
fi
for l in $LOCALES; do
  # A winter and a summer moment, one of them in the small hours (nl pads the hour with a space).
  for e in 1795580270 1783210000; do
    for tz in UTC Europe/Berlin Asia/Shanghai; do
      loc=$l.UTF-8; [ "$l" = C ] && loc=C
      printf '%s\t%s\t%s\t%s\n' "$l" "$e" "$tz" "$(LC_ALL=$loc TZ=$tz date -d "@$e")"
    done
  done
done
