#!/usr/bin/env bash
# Execute the notebooks of this folder against the diagsante binary, in a private venv.
#
#   bash notebooks/run.sh                      # every notebook
#   bash notebooks/run.sh 02-*.ipynb           # some of them
#   DIAGSANTE_BIN=/path/to/diagsante bash notebooks/run.sh
#
# The venv is ${DIAGSANTE_VENV:-$HOME/.cache/diagsante/venv}; requirements.txt is installed
# into it again only when that file (or the Python version) changes. The notebooks run on a
# copy in memory: the committed .ipynb files are never rewritten. One line per notebook;
# exit status 1 if any fails (the failing cell's error follows its line). Set
# DIAGSANTE_NOTEBOOK_OUTPUT=DIR to keep the executed notebooks (with outputs) in DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${DIAGSANTE_VENV:-$HOME/.cache/diagsante/venv}"
python="${DIAGSANTE_PYTHON:-python3}"
kernel="diagsante-venv"

if [ -n "${DIAGSANTE_BIN:-}" ] && [ ! -x "$DIAGSANTE_BIN" ]; then
    echo "notebooks: DIAGSANTE_BIN=$DIAGSANTE_BIN is not an executable file" >&2
    exit 2
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "notebooks: creating the venv $venv"
    mkdir -p "$(dirname "$venv")"
    if ! "$python" -m venv "$venv"; then
        echo "notebooks: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        rm -rf "$venv"
        exit 2
    fi
fi

# Reinstall when requirements.txt or the venv's Python changes, or the kernel is missing.
stamp="$venv/.diagsante-requirements.sha256"
want="$( { cat "$here/requirements.txt"; "$venv/bin/python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f "$venv/share/jupyter/kernels/$kernel/kernel.json" ]; then
    echo "notebooks: installing $here/requirements.txt into $venv"
    rm -f "$stamp"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
    # A kernel inside the venv, running the venv's python: no global Jupyter needed.
    "$venv/bin/python" -m ipykernel install --prefix "$venv" --name "$kernel" \
        --display-name "Python (diagsante notebooks)" >/dev/null
    echo "$want" >"$stamp"
fi

if [ "$#" -eq 0 ]; then
    set -- "$here"/[0-9]*.ipynb
fi
# The venv's Jupyter folder first: a user-level kernel of the same name cannot win.
export JUPYTER_PATH="$venv/share/jupyter"
export PYDEVD_DISABLE_FILE_VALIDATION=1
exec "$venv/bin/python" "$here/execute.py" --kernel "$kernel" "$@"
