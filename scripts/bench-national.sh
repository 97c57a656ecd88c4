#!/usr/bin/env bash
# Whole-process timings of diagsante on the default data, and of the same national table
# computed by an analyst's polars-python script (benches/python/national_polars.py) on the
# same facts, side by side: wall time and peak memory (GNU time's maximum resident set size),
# the median of RUNS runs each (default 5) after one warm-up run. The python script's values are first checked
# against diagsante's national table (every value diagsante publishes for the indicators it
# computes: all but life expectancy), and the run stops if they differ.
#
# Usage: scripts/bench-national.sh [RUNS]
# Environment: DIAGSANTE (the binary; default: cargo build --release and its target dir),
#   PYTHON (a python with polars; default: a venv in ~/.cache/diagsante/bench-venv made from
#   benches/python/requirements.txt), SKIP_DEMO=1 (leave out `demo`), SKIP_TEN_YEARS=1 (leave
#   out `national` on ten years of facts, made from the default data by
#   benches/python/ten_years.py: about 78 million rows).
# Needs /usr/bin/time (Debian: apt-get install time). Not part of CI: it measures, it asserts
# no timing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

if [ -z "${DIAGSANTE:-}" ]; then
    cargo build --release --quiet
    DIAGSANTE="${CARGO_TARGET_DIR:-target}/release/diagsante"
fi
if [ -z "${PYTHON:-}" ]; then
    venv="$HOME/.cache/diagsante/bench-venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r benches/python/requirements.txt
    PYTHON="$venv/bin/python"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A cache of its own (the default data generated there on first use: once per run of this
# script): the folder the python script reads, the only one in it.
export DIAGSANTE_CACHE="$work/cache"
"$DIAGSANTE" national --out "$work/national" >/dev/null
data=$(ls -d "$DIAGSANTE_CACHE"/demo-v*)
cat >"$work/py" <<PY
#!/bin/sh
exec "$PYTHON" benches/python/national_polars.py --data "$data" --geo data/geo --catalogue data/indicators.toml --out "$work/python.parquet" "\$@"
PY
chmod +x "$work/py"
py() { "$work/py" "$@"; }
echo "checking the python table against diagsante's ($data):"
py --check "$work/national/national.parquet"

# median WALL_SECONDS PEAK_MB of RUNS runs of a command
measure() {
    local name=$1
    shift
    : >"$work/times"
    "$@" >/dev/null 2>&1 || { echo "$name failed: $*" >&2; exit 1; } # warm-up (first-use caches), not counted
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$work/one" "$@" >/dev/null 2>&1 || { echo "$name failed: $*" >&2; exit 1; }
        cat "$work/one" >>"$work/times"
    done
    local wall mem all
    wall=$(cut -d' ' -f1 "$work/times" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    mem=$(cut -d' ' -f2 "$work/times" | sort -g | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
    all=$(cut -d' ' -f1 "$work/times" | tr '\n' ' ')
    printf '| %-44s | %8s s | %7s MB | %s|\n' "$name" "$wall" "$mem" "$all"
}

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each (median; all walls after)"
echo
echo "| command (whole process, default data) | wall | peak memory | walls |"
echo "|---|---|---|---|"
measure "diagsante national" "$DIAGSANTE" national --out "$work/national"
measure "polars-python, same table (all indicators but life expectancy)" "$work/py"
measure "diagsante diagnose (one territory)" "$DIAGSANTE" diagnose --territory cpts-camargue-gardoise --out "$work/diagnose"
if [ "${SKIP_DEMO:-}" != 1 ]; then
    measure "diagsante demo (five reports)" "$DIAGSANTE" demo --out "$work/demo"
fi
if [ "${SKIP_TEN_YEARS:-}" != 1 ]; then
    # The same folder with ten years of synthetic facts (benches/python/ten_years.py), read
    # as a user's --data folder. The python script is not run on it: it holds the whole table
    # (6 GB for one year's).
    "$PYTHON" benches/python/ten_years.py --data "$data" --out "$work/ten" >&2
    measure "diagsante national --data, ten years of facts" "$DIAGSANTE" national --data "$work/ten" --out "$work/national-ten"
fi
