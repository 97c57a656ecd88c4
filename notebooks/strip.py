"""Strip the outputs of notebooks before committing them (in place).

    python notebooks/strip.py                 # every notebooks/*.ipynb
    python notebooks/strip.py a.ipynb b.ipynb
    python notebooks/strip.py --check         # exit 1 if any notebook has outputs

Removes outputs, execution counts, per-cell execution metadata and the Python version in
`language_info`; keeps sources and the kernelspec. Needs nbformat (in the venv of run.sh).
"""

import sys
from pathlib import Path

import nbformat


def strip(nb) -> bool:
    """Strip `nb` in place; return whether anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            changed = True
        cell["outputs"] = []
        cell["execution_count"] = None
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            if key in cell.get("metadata", {}):
                del cell["metadata"][key]
                changed = True
    for key in ("widgets", "varInspector"):
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    # The Python version and lexer details of whoever ran it last: only the language stays.
    info = nb.metadata.get("language_info")
    if info is not None and set(info) != {"name"}:
        nb.metadata["language_info"] = {"name": info.get("name", "python")}
        changed = True
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted(Path(__file__).parent.glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            dirty.append(path)
            if not check:
                nbformat.write(nb, path)
    for path in dirty:
        print(f"{'has outputs' if check else 'stripped'}: {path}")
    return 1 if check and dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
