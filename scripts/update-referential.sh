#!/usr/bin/env bash
# Rebuild data/geo/ from the npm package @etalab/decoupage-administratif (MIT code,
# Licence Ouverte data). Re-runnable; needs npm and python3 (it installs polars in a
# throw-away virtualenv). The output is committed so that a fresh clone works offline.
#
#   scripts/update-referential.sh            # the pinned version below
#   VERSION=6.0.0 scripts/update-referential.sh
set -euo pipefail
VERSION="${VERSION:-6.0.0}"
POLARS_PY="${POLARS_PY:-1.35.2}"
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../data/geo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "@etalab/decoupage-administratif@$VERSION" >/dev/null)
tar -xzf "$work"/etalab-decoupage-administratif-"$VERSION".tgz -C "$work"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "polars==$POLARS_PY"
"$work/venv/bin/python" "$here/convert_referential.py" "$work/package/data" "$out" "$VERSION"
echo "data/geo/ rebuilt from @etalab/decoupage-administratif@$VERSION"
