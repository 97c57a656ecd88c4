#!/usr/bin/env bash
# Convert the publishers' files into the real open data embedded in diagsante (data/real/),
# the data every command reads when no --data folder is given (the demo computes every
# indicator it can from it, the rest from the synthetic generator: see src/demo/mod.rs).
#
# Each file is read by `diagsante ingest` (its layout detected from its columns, as for any
# user) and its fact file (parquet) goes to data/real/ unchanged: an ordinary ingest output,
# with its provenance (publisher, dataset) on every row. data/real/ is then exactly the files
# listed below (a file no longer listed is removed), and the section of data/README.md between
# the `real-data` markers is rewritten (publisher and dataset, years, licence, copy, rows,
# size). build.rs embeds every data/real/*.parquet: adding a file is adding a line here.
#
#   scripts/embed-real-data.sh                       # the copies in ../shared/realdata/
#   REALDATA=/path/to/downloads scripts/embed-real-data.sh
#
# Needs cargo (it builds diagsante in release mode; CARGO_TARGET_DIR is respected).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
REALDATA="${REALDATA:-$root/../shared/realdata}"
out="$root/data/real"
readme="$root/data/README.md"

# One line per published file: its path under $REALDATA | the copy it was taken from (see
# realdata/README.md), or the publisher's address for a file downloaded from it.
FILES=(
  "geo/communes_france_2024_centroids_pop.csv|rcarlier/datas.fun, France/communes.csv @ b987408 (derived by its author from INSEE's Base du comparateur de territoires of 27/06/2024 on the COG 2024, with La Poste's postal codes)"
  # Filosofi 2019: tax households and persons, median income, deciles, income shares by commune (this file has no poverty rate).
  "social/FILO2019_DISP_COM.csv|aubryprieur/streamlit_data_territoire, revenu/revenu_commune/ @ 15be80a (INSEE, Filosofi 2019)"
  # DREES APL workbook: APL to GPs 2022 and 2023 by commune.
  "medical/drees_apl_medecins_generalistes_2022_2023.xlsx|louiselize/Data_Analysis_Lattitudes_Sante_et_Territoires, data/raw/apl-thierache-centre/apl_generalistes.xlsx @ b6378a0 (DREES, APL)"
  # INSEE département estimates: population by département, sex and 5-year band, 1975-2021.
  "population/estim-pop-dep-sexe-aq-1975-2021.xlsx|OslanKetis/PFE_Datascientist_CEPE, data/estim-pop-dep-sexe-aq-1975-2021.xlsx @ 6e1186a (INSEE, estimations de population)"
  # INSEE département estimates: the same for 2023.
  "population/insee_estim_pop_dep_sexe_aq_2023.xlsx|fredco30/stat_deces, population_francaise.xlsx @ 01dddc1 (INSEE, estimations de population)"
  # ameli: headcounts and densities of health professionals by département, 2024.
  "medical/ameli_demographie_ps_liberaux_dep_2024.csv|timotheebarnaud/deserts-medicaux, data/raw/toutes_specialites_departement.csv @ 9a10c8b (data.ameli.fr)"
  # INSEE statistiques locales: département health statistics 2024.
  "health_indicators/insee_statloc_sante_departement_2024.csv|louiselize/Data_Analysis_Lattitudes_Sante_et_Territoires, data/raw/health-anova-regression/health_anova_regression.csv @ d2faf7f (INSEE, statistiques locales)"
)

cd "$root"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/diagsante"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
section="$work/section.md"
{
  echo "<!-- real-data:begin (written by scripts/embed-real-data.sh: do not edit by hand) -->"
  echo
  echo "| file in \`data/real/\` | publisher, dataset (layout) | measures (years) | licence | converted from | rows | size |"
  echo "|---|---|---|---|---|---|---|"
} >"$section"
kept=()
total=0
for line in "${FILES[@]}"; do
  path="${line%%|*}"
  copy="${line#*|}"
  input="$REALDATA/$path"
  [ -f "$input" ] || { echo "error: $input is absent (set REALDATA)" >&2; exit 2; }
  rm -rf "$work/out" && mkdir -p "$work/out"
  "$bin" ingest "$input" --out "$work/out" >"$work/summary.txt"
  layout="$(sed -n 's/^layout: *//p' "$work/summary.txt" | head -1)"
  measures="$(sed -n 's/^measures produced: *//p' "$work/summary.txt" | head -1)"
  for f in "$work/out"/facts-*.parquet; do
    name="$(basename "$f")"
    cp "$f" "$out/$name"
    kept+=("$name")
    rows="$(grep -F "$name" "$work/summary.txt" | sed -n 's/.*(\([0-9]*\) rows).*/\1/p' | head -1)"
    size="$(stat -c %s "$f")"
    total=$((total + size))
    echo "| \`$name\` | $layout | $measures | Licence Ouverte / Etalab 2.0 | \`$path\` of realdata: $copy | $rows | $((size / 1024)) KiB |" >>"$section"
    echo "data/real/$name: $rows rows, $size bytes"
  done
done
# data/real/ holds exactly the files converted now.
for f in "$out"/*; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  printf '%s\n' "${kept[@]}" | grep -qxF "$name" || { rm -f "$f"; echo "removed data/real/$name (no longer listed)"; }
done
{
  echo
  echo "Total: $((total / 1024)) KiB embedded (parquet, zstd). The publishers' open data: cite « Source : Insee », « Source : DREES »…"
  echo
  echo "<!-- real-data:end -->"
} >>"$section"
if grep -q "real-data:begin" "$readme"; then
  awk -v section="$section" '
    /real-data:begin/ { while ((getline l < section) > 0) print l; skip = 1; next }
    /real-data:end/ { skip = 0; next }
    !skip { print }
  ' "$readme" >"$work/readme" && cp "$work/readme" "$readme"
else
  { echo; cat "$section"; } >>"$readme"
fi
echo "data/README.md: section rewritten; total $total bytes in data/real/"
