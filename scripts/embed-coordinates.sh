#!/usr/bin/env bash
# Write data/geo/coordinates.csv, the communes' centroids embedded in diagsante (the report's
# map of the communes), from the COG 2024 communes file of the real data:
# geo/communes_france_2024_centroids_pop.csv of ../shared/realdata (rcarlier/datas.fun,
# France/communes.csv @ b987408, derived from INSEE's comparateur de territoires 2024 on the
# COG 2024; Licence Ouverte / Etalab 2.0).
#
# The file has one row per commune and postal code, communes déléguées (COMD) and municipal
# arrondissements (ARM) included; a few rows lack coordinates. Output: `code;lat;lng`, one row
# per code that has coordinates (COMD and ARM codes included; a COMD sharing its commune's
# code has the same centroid), rounded to 5 decimals, sorted by code. Paris, Lyon and
# Marseille, which the file only gives by arrondissement, get the centroid of their
# arrondissements weighted by their 2021 population. Each row also gives the code's 2021
# population (empty when the file has none): a commune created since COG 2024 gets the
# population-weighted centroid of its former communes (src/geo/coordinates.rs). Codes without
# any coordinates are listed on stderr.
#
#   scripts/embed-coordinates.sh
#   REALDATA=/path/to/realdata scripts/embed-coordinates.sh
#
# Needs bash and python3 (standard library only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
REALDATA="${REALDATA:-$root/../shared/realdata}"
src="$REALDATA/geo/communes_france_2024_centroids_pop.csv"
out="$root/data/geo/coordinates.csv"
[ -f "$src" ] || { echo "missing: $src" >&2; exit 1; }

python3 - "$src" "$out" <<'EOF'
import csv
import sys

src, out = sys.argv[1], sys.argv[2]
coordinates = {}  # code -> (lat, lng), the first row giving them (COM, COMD and ARM agree)
codes = set()
population = {}  # code -> population 2021, the first row giving it
arrondissements = {}  # parent commune -> [(lat, lng, population)]
with open(src, encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f):
        code = row["insee_com"].strip()
        codes.add(code)
        lat, lng = row["lat"].strip(), row["lng"].strip()
        if not lat or not lng:
            continue
        point = (float(lat), float(lng))
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            sys.exit(f"{code}: coordinates out of range: {lat}, {lng}")
        coordinates.setdefault(code, point)
        if row["population_2021"].strip() and code not in population:
            population[code] = float(row["population_2021"])
        if row["commune_type"] == "ARM" and row["insee_parente"].strip():
            entry = (point[0], point[1], float(row["population_2021"] or 0))
            arm = arrondissements.setdefault(row["insee_parente"].strip(), {})
            arm.setdefault(code, entry)  # once per arrondissement, not per postal code
for parent, arms in arrondissements.items():
    if parent in coordinates:
        continue
    total = sum(p for _, _, p in arms.values())
    if total <= 0:
        continue
    lat = sum(a * p for a, _, p in arms.values()) / total
    lng = sum(b * p for _, b, p in arms.values()) / total
    coordinates[parent] = (lat, lng)
    population.setdefault(parent, total)
    codes.add(parent)
missing = sorted(codes - coordinates.keys())
if missing:
    print(f"without coordinates ({len(missing)}): {', '.join(missing)}", file=sys.stderr)
with open(out, "w", encoding="utf-8", newline="\n") as f:
    f.write("code;lat;lng;population\n")
    for code in sorted(coordinates):
        lat, lng = coordinates[code]
        pop = population.get(code)
        pop = "" if pop is None else f"{pop:.0f}"
        f.write(f"{code};{lat:.5f};{lng:.5f};{pop}\n")
print(f"{out}: {len(coordinates)} codes", file=sys.stderr)
EOF
