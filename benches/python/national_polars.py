"""The national table as an analyst would compute it with polars (Python): every EPCI,
département and région of France and France itself × the catalogue's indicators but life
expectancy (57 of 58 today: the methods count, proportion, crude_rate, ratio, weighted_mean,
annual_growth, dsr, icm; a term's sex and ages as diagsante reads them), from the same facts as `diagsante national`. Run by
scripts/bench-national.sh, which times it beside diagsante as a whole process; with --check it
compares its values with diagsante's national.parquet (every value diagsante publishes, to a
relative 1e-9) and exits 1 on any difference.

Usage: python national_polars.py --data DIR --geo data/geo --catalogue data/indicators.toml
                                 --out national-polars.parquet [--check national.parquet]
DIR: a folder of fact files (facts-*.parquet) and roster.parquet, such as the demo cache
(~/.cache/diagsante/demo-v…), which holds the default data's real and synthetic files.
"""

import argparse
import sys
import tomllib

import polars as pl

# European Standard Population 2013, 19 bands 0-4 … 85-89, 90+ (src/stats/standards.rs).
ESP2013 = [5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000]
THIS_YEAR = 2026
KEYS = ["kind", "code"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--geo", required=True)
    ap.add_argument("--catalogue", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--check")
    a = ap.parse_args()
    catalogue = [i for i in tomllib.load(open(a.catalogue, "rb"))["indicator"] if i["method"] != "life_expectancy"]
    # Not covered: the professions and facilities given by département only (ameli, statistiques
    # locales), whose département, région and France diagsante reads from the département rows.
    by_departement = set(
        pl.scan_parquet(f"{a.data}/facts-*.parquet")
        .filter((pl.col("level") == "departement") & (pl.col("kind") == "count") & pl.col("measure").str.contains("^(professionals_|bpe_)"))
        .select("measure")
        .unique()
        .collect()["measure"]
    )
    catalogue = [i for i in catalogue if i["numerator"]["measure"] not in by_departement]

    # The 7 columns used, commune counts only.
    facts = (
        pl.scan_parquet(f"{a.data}/facts-*.parquet")
        .filter((pl.col("level") == "commune") & (pl.col("kind") == "count") & (pl.col("year") <= THIS_YEAR))
        .select("geo", "year", "measure", "sex", pl.col("age_min").cast(pl.Int32), pl.col("age_max").cast(pl.Int32), "value")
    )
    # Each measure at its latest year; the population also at the census before (the growth's start).
    latest = facts.group_by("measure").agg(pl.col("year").max().alias("latest"))
    facts = facts.join(latest, on="measure")
    base = (
        facts.filter((pl.col("measure") == "population") & (pl.col("year") < pl.col("latest")))
        .filter(pl.col("year") == pl.col("year").max())
        .with_columns(pl.lit("population_base").alias("measure"))
    )
    years = latest.collect()
    year = years["latest"].max()
    base_year = base.select(pl.col("year").max()).collect().item()
    facts = pl.concat([facts.filter(pl.col("year") == pl.col("latest")).drop("latest"), base.drop("latest")])
    # The GP roster as counts: every GP, and by age at the data's latest year.
    roster = pl.scan_parquet(f"{a.data}/roster.parquet").select("geo", "birth_year")
    gp = pl.concat(
        [
            roster.select("geo", pl.lit("gp").alias("measure"), pl.lit(None, pl.Int32).alias("age")),
            roster.filter(pl.col("birth_year").is_not_null()).select("geo", pl.lit("gp_by_age").alias("measure"), (year - pl.col("birth_year")).cast(pl.Int32).alias("age")),
        ]
    ).select("geo", pl.lit(year, pl.Int32).alias("year"), "measure", pl.lit("all").alias("sex"), pl.col("age").alias("age_min"), pl.col("age").alias("age_max"), pl.lit(1.0).alias("value"))
    facts = pl.concat([facts, gp])

    # Units of France (communes, arrondissements; not the former communes) with their EPCI,
    # département and région (Paris, Lyon, Marseille whole too).
    units = (
        pl.scan_parquet(f"{a.geo}/communes.parquet")
        .filter((pl.col("zone") != "com") & pl.col("kind").is_in(["commune", "arrondissement"])).select(pl.col("code").alias("geo"), "epci", "departement", "region")
    )
    # Summed once by (EPCI, département, région) cell, then rolled up to each layer.
    cells = ["measure", "sex", "age_min", "age_max"]
    fine = facts.join(units, on="geo").group_by(["epci", "departement", "region", *cells]).agg(pl.col("value").sum())
    layers = pl.concat(
        [
            fine.filter(pl.col("epci").is_not_null()).group_by(["epci", *cells]).agg(pl.col("value").sum()).select(pl.lit("epci").alias("kind"), pl.col("epci").alias("code"), *cells, "value"),
            fine.group_by(["departement", *cells]).agg(pl.col("value").sum()).select(pl.lit("departement").alias("kind"), pl.col("departement").alias("code"), *cells, "value"),
            fine.group_by(["region", *cells]).agg(pl.col("value").sum()).select(pl.lit("region").alias("kind"), pl.col("region").alias("code"), *cells, "value"),
            fine.group_by(cells).agg(pl.col("value").sum()).select(pl.lit("france").alias("kind"), pl.lit("FR").alias("code"), *cells, "value"),
        ]
    ).collect()
    by_sex = set(layers.filter(pl.col("sex") != "all")["measure"].unique())
    has_total = set(layers.filter((pl.col("sex") == "all") & pl.col("age_min").is_null())["measure"].unique())
    exact = set(layers.filter((pl.col("sex") == "all") & pl.col("age_min").is_not_null()).select("measure", "age_min", "age_max").unique().iter_rows())

    def total(term: dict) -> pl.LazyFrame:
        """A term's sum per geography: the all-sex total when asked no ages and given, else the
        bands (by sex when given so) inside its ages."""
        m, lo, hi, sx = term["measure"], term.get("age_min"), term.get("age_max"), term.get("sex")
        sel = pl.col("measure") == m
        if sx is not None:  # one sex: its bands
            sel &= pl.col("sex") == sx
            if lo is not None:
                sel &= pl.col("age_min") >= lo
            if hi is not None:
                sel &= pl.col("age_max").is_not_null() & (pl.col("age_max") <= hi)
        elif (m, lo, hi) in exact:  # the band asked, given as such (the census's 15-64)
            sel &= (pl.col("sex") == "all") & (pl.col("age_min") == lo) & (pl.col("age_max") == hi)
        elif lo is None and hi is None and m in has_total:
            sel &= (pl.col("sex") == "all") & pl.col("age_min").is_null()
        else:
            sel &= pl.col("sex") != "all" if m in by_sex else pl.col("sex") == "all"
            sel &= pl.col("age_min").is_not_null() | (m not in by_sex and m not in has_total)
            if lo is not None:
                sel &= pl.col("age_min") >= lo
            if hi is not None:
                sel &= pl.col("age_max").is_not_null() & (pl.col("age_max") <= hi)
        return layers.lazy().filter(sel).group_by(KEYS).agg(pl.col("value").sum())

    def banded(term: dict) -> pl.LazyFrame:
        """A term's sum per geography and standard band (0-4 … 90+)."""
        m, lo, hi, sx = term["measure"], term.get("age_min"), term.get("age_max"), term.get("sex")
        of_sex = (pl.col("sex") == sx) if sx is not None else (pl.col("sex") != "all") if m in by_sex else pl.col("sex") == "all"
        sel = (pl.col("measure") == m) & pl.col("age_min").is_not_null() & of_sex
        if lo is not None:
            sel &= pl.col("age_min") >= lo
        if hi is not None:
            sel &= pl.col("age_max").is_not_null() & (pl.col("age_max") <= hi)
        band = pl.min_horizontal(pl.col("age_min") // 5, pl.lit(18))
        return layers.lazy().filter(sel).group_by([*KEYS, band.alias("band")]).agg(pl.col("value").sum())

    geographies = layers.select(KEYS).unique().lazy()
    out = []
    for ind in catalogue:
        method, mult = ind["method"], ind.get("multiplier", 1)
        x = geographies.join(total(ind["numerator"]), on=KEYS, how="left").with_columns(pl.col("value").fill_null(0.0))
        if method == "count":
            v = x.select(*KEYS, pl.col("value"))
        elif method in ("proportion", "crude_rate", "ratio", "weighted_mean"):
            n = total(ind["denominator"]).rename({"value": "n"})
            v = x.join(n, on=KEYS, how="left").select(*KEYS, (pl.col("value") / pl.col("n") * mult).alias("value"))
        elif method == "annual_growth":
            n = total(ind["denominator"]).rename({"value": "n"})
            v = x.join(n, on=KEYS, how="left").select(*KEYS, (((pl.col("value") / pl.col("n")) ** (1 / (year_of(years, ind) - base_year)) - 1) * 100).alias("value"))
        elif method == "dsr":
            w = pl.LazyFrame({"band": list(range(19)), "w": [float(x) for x in ESP2013]}, schema={"band": pl.Int32, "w": pl.Float64})
            d = banded(ind["numerator"]).rename({"value": "d"})
            p = banded(ind["denominator"]).rename({"value": "p"}).filter(pl.col("p") > 0)
            v = (
                p.join(d, on=[*KEYS, "band"], how="left")
                .with_columns(pl.col("d").fill_null(0.0), pl.col("band").cast(pl.Int32))
                .join(w, on="band")
                .group_by(KEYS)
                .agg(((pl.col("w") * pl.col("d") / pl.col("p")).sum() / pl.col("w").sum() * mult).alias("value"))
            )
        elif method == "icm":
            d = banded(ind["numerator"]).rename({"value": "d"})
            p = banded(ind["denominator"]).rename({"value": "p"})
            ref = p.filter(pl.col("kind") == "france").join(d, on=[*KEYS, "band"], how="left").select("band", (pl.col("d").fill_null(0.0) / pl.col("p")).alias("r"), pl.col("p").alias("rp"))
            v = (
                p.join(d, on=[*KEYS, "band"], how="left")
                .join(ref.filter(pl.col("rp") > 0), on="band")
                .group_by(KEYS)
                .agg((pl.col("d").fill_null(0.0).sum() / (pl.col("p") * pl.col("r")).sum() * 100).alias("value"))
            )
        else:
            continue
        out.append(v.with_columns(pl.lit(ind["id"]).alias("indicator")))
    table = pl.concat(out).select(*KEYS, "indicator", "value").collect().sort([*KEYS, "indicator"])
    table.write_parquet(a.out)
    print(f"{table.height} rows ({len(catalogue)} indicators)")
    if a.check:
        return check(table, a.check)
    return 0


def year_of(years: pl.DataFrame, ind: dict) -> int:
    return years.filter(pl.col("measure") == ind["numerator"]["measure"])["latest"].item()


def check(table: pl.DataFrame, path: str) -> int:
    """Every value diagsante publishes for the indicators computed here, to a relative 1e-9."""
    ds = pl.read_parquet(path).select(KEYS + ["indicator", pl.col("value").alias("diagsante")])
    ds = ds.filter(pl.col("indicator").is_in(table["indicator"].unique().implode()) & pl.col("diagsante").is_not_null())
    both = ds.join(table, on=[*KEYS, "indicator"], how="left")
    diff = ((pl.col("value") - pl.col("diagsante")).abs() / pl.max_horizontal(pl.col("diagsante").abs(), pl.lit(1e-12)))
    bad = both.filter(pl.col("value").is_null() | (diff > 1e-9))
    print(f"check: {both.height} values published by diagsante compared, {bad.height} differ")
    if bad.height:
        print(bad.group_by("indicator").agg(pl.len(), pl.first("kind"), pl.first("code"), pl.first("diagsante"), pl.first("value")))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
