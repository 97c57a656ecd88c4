#!/usr/bin/env bash
# Compare the APL diagsante computes with DREES's, commune by commune, once a national commune
# GP file exists (one row per GP: identifiant, commune, âge or année de naissance, activité in
# consultations of the year, année d'installation; the columns `diagsante ingest` reads for a
# CPAM roster) and the year of the DREES APL it should reproduce.
#
#   scripts/validate-apl.sh GP_FILE YEAR [DREES_LONG_CSV] [-- extra diagsante apl options]
#   scripts/validate-apl.sh medecins-2023.csv 2023
#   scripts/validate-apl.sh medecins-2023.csv 2023 apl-long.csv -- --data donnees/ --times metric.csv
#
# DREES_LONG_CSV: the long CSV of DREES's APL (year,code_commune,commune,apl_mg,…), default
# ../shared/realdata/medical/drees_apl_mg_commune_2022_2023_long.csv. The population by age is
# the one of --data (the demo's pyramids otherwise: then the comparison tests the supply side
# and the travel times only; DREES's APL of year N uses the populations of N-2). Prints, over
# the communes both give: the Pearson correlation, the mean absolute difference and the share
# of communes classed on the same side of 2.5 (DREES's under-served threshold).
#
# Never run this on the demo's synthetic roster: its APL means nothing against DREES's.
# Needs bash, python3 (standard library only) and a built diagsante (DIAGSANTE, default
# target/release/diagsante or the one on PATH).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
[ $# -ge 2 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
gp_file="$1"; year="$2"; shift 2
drees="$root/../shared/realdata/medical/drees_apl_mg_commune_2022_2023_long.csv"
if [ $# -ge 1 ] && [ "$1" != "--" ]; then drees="$1"; shift; fi
[ $# -ge 1 ] && [ "$1" = "--" ] && shift
[ -f "$gp_file" ] || { echo "missing GP file: $gp_file" >&2; exit 2; }
[ -f "$drees" ] || { echo "missing DREES file: $drees" >&2; exit 2; }
bin="${DIAGSANTE:-}"
if [ -z "$bin" ]; then
  for b in "${CARGO_TARGET_DIR:-$root/target}/release/diagsante" "$(command -v diagsante || true)"; do
    [ -n "$b" ] && [ -x "$b" ] && { bin="$b"; break; }
  done
fi
[ -n "$bin" ] || { echo "build diagsante first (cargo build --release) or set DIAGSANTE" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" apl --roster "$gp_file" --year "$year" --out "$out" "$@"
python3 - "$out/apl-communes.csv" "$drees" "$year" <<'PY'
import csv, math, sys

ours_file, drees_file, year = sys.argv[1], sys.argv[2], sys.argv[3]
ours = {}
synthetic = False
with open(ours_file, encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f, delimiter=";"):
        synthetic = synthetic or row["synthetique"] == "true"
        ours[row["code_commune"]] = float(row["apl_mg"].replace(",", "."))
if synthetic:
    print("note: the population by age (or some GPs) is synthetic: the comparison tests the method only as far as the data is real", file=sys.stderr)
drees = {}
with open(drees_file, encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        if row["year"] == year and row["apl_mg"].strip():
            drees[row["code_commune"]] = float(row["apl_mg"])
common = sorted(ours.keys() & drees.keys())
if len(common) < 2:
    sys.exit(f"only {len(common)} communes in both files: check the year ({year}) and the files")
x = [ours[c] for c in common]
y = [drees[c] for c in common]
n = len(common)
mx, my = sum(x) / n, sum(y) / n
sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
sx = math.sqrt(sum((a - mx) ** 2 for a in x))
sy = math.sqrt(sum((b - my) ** 2 for b in y))
r = sxy / (sx * sy) if sx > 0 and sy > 0 else float("nan")
mad = sum(abs(a - b) for a, b in zip(x, y)) / n
same = sum((a < 2.5) == (b < 2.5) for a, b in zip(x, y)) / n
print(f"communes compared: {n} (diagsante {len(ours)}, DREES {len(drees)} in {year})")
print(f"correlation (Pearson): {r:.3f}")
print(f"mean absolute difference: {mad:.3f} consultations per standardised inhabitant")
print(f"same side of 2.5: {100 * same:.1f} %")
PY
