#!/usr/bin/env bash
# The batch benchmark: 1,000 rows (or $1) against genpro-mock in fast mode, through genpro-batch
# (parallel 1 and 8) and through a naive loop of genpro-sdk calls, each 3 times (or $2) in the
# same session; prints the median and min–max of wall time, requests per row and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${1:-1000}
RUNS=${2:-3}
cargo build --quiet --release -p genpro-batch --example bench
BIN=target/release/examples/bench
OUT=$(mktemp)
for run in $(seq "$RUNS"); do
  "$BIN" naive "$ROWS" >>"$OUT"
  "$BIN" batch "$ROWS" 1 >>"$OUT"
  "$BIN" batch "$ROWS" 8 >>"$OUT"
done
python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
groups = {}
for r in rows:
    groups.setdefault((r["mode"], r["parallel"]), []).append(r)
print("| mode | runs | rows done | wall s | requests/row | peak RSS MiB |")
print("|---|---|---|---|---|---|")
def fmt(values, digits):
    m = statistics.median(values)
    return f"{m:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"
for (mode, parallel), rs in groups.items():
    name = f"{mode}" + (f" --parallel {parallel}" if mode == "batch" else " loop")
    print(f"| {name} | {len(rs)} | {rs[0]['done']}/{rs[0]['rows']} | {fmt([r['wall_s'] for r in rs], 2)} | "
          f"{fmt([r['requests_per_row'] for r in rs], 2)} | {fmt([r['peak_rss_kib'] / 1024 for r in rs], 1)} |")
PY
rm -f "$OUT"
