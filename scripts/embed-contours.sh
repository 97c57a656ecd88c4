#!/usr/bin/env bash
# Write data/geo/contours.geojson, the commune contours embedded in diagsante (the choropleth
# maps of the shipped territories, whose reports otherwise draw circles), from the contours of
# the real data: geo/contours/communes-{17-charente-maritime,30-gard,86-vienne}.geojson of
# ../shared/realdata (gregoiredavid/france-geojson @ 45daa2d, from IGN's Admin Express COG
# 2018 with INSEE's COG 2018 codes, simplified; Licence Ouverte / Etalab 2.0).
#
# One FeatureCollection of the three départements' communes, in the files' order: each feature
# keeps its `code` (INSEE, COG 2018) and `nom`, and its Polygon or MultiPolygon with every
# coordinate rounded to 5 decimals (about a metre: the simplified rings are far coarser).
# Codes of communes merged since 2018 are kept as the file gives them: the report maps them to
# their current commune (src/report/contours.rs), as it does for a user's file.
#
#   scripts/embed-contours.sh
#   REALDATA=/path/to/realdata scripts/embed-contours.sh
#
# Needs bash and python3 (standard library only).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
REALDATA="${REALDATA:-$root/../shared/realdata}"
out="$root/data/geo/contours.geojson"
sources=()
for name in communes-17-charente-maritime communes-30-gard communes-86-vienne; do
    f="$REALDATA/geo/contours/$name.geojson"
    [ -f "$f" ] || { echo "missing: $f" >&2; exit 1; }
    sources+=("$f")
done

python3 - "$out" "${sources[@]}" <<'PY'
import json
import sys

out, sources = sys.argv[1], sys.argv[2:]


def rounded(coordinates):
    if isinstance(coordinates[0], (int, float)):
        return [round(c, 5) for c in coordinates]
    return [rounded(c) for c in coordinates]


features = []
for path in sources:
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            sys.exit(f"{path}: a {geometry['type']} feature, not a Polygon or MultiPolygon")
        properties = feature["properties"]
        features.append({
            "type": "Feature",
            "properties": {"code": properties["code"], "nom": properties["nom"]},
            "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])},
        })
with open(out, "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, separators=(",", ":"))
    f.write("\n")
print(f"{out}: {len(features)} communes", file=sys.stderr)
PY
