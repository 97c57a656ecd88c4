"""Ten years of facts, for the ten-year run of scripts/bench-national.sh: a copy of a data folder
(the demo cache: the default data's real files, synthetic facts and roster) whose synthetic facts
(facts-demo.parquet) are given for ten years. Each measure's rows at its latest year are
repeated for each of the nine years before, their counts 1 % lower a year (rounded: a count
stays an integer; a decimal value is scaled unrounded); the synthetic rows of earlier years
are replaced. The real files and the roster are copied as they are. The values are made up
for the timing: they are synthetic, like the file they come from (its `synthetic` column).

Usage: python ten_years.py --data DIR --out OUT [--years 10]
"""

import argparse
import pathlib
import shutil

import polars as pl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--years", type=int, default=10)
    a = ap.parse_args()
    data, out = pathlib.Path(a.data), pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for f in data.glob("*.parquet"):
        if f.name != "facts-demo.parquet":
            shutil.copyfile(f, out / f.name)
    facts = pl.scan_parquet(data / "facts-demo.parquet")
    latest = facts.filter(pl.col("year") == pl.col("year").max().over("measure"))
    v = pl.col("value")
    years = []
    for back in range(a.years):
        scaled = v * (1 - 0.01 * back)
        years.append(
            latest.with_columns(
                (pl.col(c) - back).cast(pl.Int32).alias(c) for c in ("year", "year_start", "year_end")
            ).with_columns(pl.when(v == v.round()).then(scaled.round()).otherwise(scaled).alias("value"))
        )
    # Year by year, each in the order of the source file (its communes, then its measures).
    pl.concat(years).sink_parquet(out / "facts-demo.parquet")
    rows = pl.scan_parquet(out / "facts-demo.parquet").select(pl.len()).collect().item()
    print(f"{out}: {rows} synthetic rows over {a.years} years")


if __name__ == "__main__":
    main()
