#!/bin/bash
# Usage: zstd-job-size.sh DUMP [ROUNDS]. Compresses DUMP through a pipe, as keepwatch feeds zstd,
# alternating `zstd -3 -B1MiB` and plain `zstd -3`; prints per run: variant | wall s, zstd user s,
# zstd system s, compressed bytes. See zstd-job-size.md.
dump=$1; rounds=${2:-7}
for i in $(seq 1 "$rounds"); do
  for v in "-3 -B1MiB" "-3"; do
    r=$( { cat "$dump" | /usr/bin/time -f "%e %U %S" zstd $v -c -q | wc -c; } 2>&1 | tr '\n' ' ')
    echo "$v | $r"
  done
done
