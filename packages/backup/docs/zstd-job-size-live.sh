#!/bin/bash
# Usage: zstd-job-size-live.sh DB [ROUNDS]. `pg_dump -Fc -Z0 DB` piped into each zstd variant, as a backup runs;
# prints per run: variant | wall s, zstd user s, zstd system s, compressed bytes | load. See zstd-job-size.md.
db=$1; rounds=${2:-5}
for i in $(seq 1 "$rounds"); do
  for v in "-3 -B1MiB" "-3" "-3 --single-thread"; do
    s=$(date +%s.%N)
    r=$( { pg_dump -h 127.0.0.1 -U postgres -Fc -Z0 "$db" | /usr/bin/time -f "%U %S" zstd $v -c -q | wc -c; } 2>&1 | tr '\n' ' ')
    e=$(date +%s.%N)
    echo "$v | $(echo "$e - $s" | bc) $r | load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
