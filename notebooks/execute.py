"""Execute notebooks with nbclient, without rewriting them; used by run.sh.

    python execute.py [--kernel NAME] [--timeout SECONDS] NOTEBOOK.ipynb...

Prints one line per notebook (ok/FAIL, name, seconds); after a failure, the error of the
failing cell. Exit status 1 if any notebook fails. With DIAGSANTE_NOTEBOOK_OUTPUT=DIR, the
executed copies (with outputs) are written to DIR.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--kernel", default="python3", help="kernel name (default: python3)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: 600)")
    args = parser.parse_args()
    keep = os.environ.get("DIAGSANTE_NOTEBOOK_OUTPUT")

    failures = 0
    for path in args.notebooks:
        path = path.resolve()
        start = time.monotonic()
        error = None
        nb = None
        try:
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(
                nb,
                timeout=args.timeout,
                kernel_name=args.kernel,
                # Run from the notebook's folder, as Jupyter does.
                resources={"metadata": {"path": str(path.parent)}},
            )
            client.execute()
        except (CellExecutionError, CellTimeoutError) as e:
            error = str(e)
        except Exception as e:  # kernel failed to start, unreadable notebook…
            error = f"{type(e).__name__}: {e}"
        seconds = time.monotonic() - start
        print(f"{'ok  ' if error is None else 'FAIL'} {path.name} ({seconds:.1f} s)", flush=True)
        if keep and nb is not None:
            Path(keep).mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, Path(keep) / path.name)
        if error is not None:
            failures += 1
            # Tracebacks come coloured for a terminal: plain text for CI logs.
            print(re.sub(r"\x1b\[[0-9;]*m", "", error).rstrip(), file=sys.stderr, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
