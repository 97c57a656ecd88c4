"""Convert the JSON files of @etalab/decoupage-administratif into the compact parquet
files of data/geo/ read by diagsante (see data/README.md for the schema).

Usage: convert_referential.py PACKAGE_DATA_DIR OUT_DIR VERSION
Each file is written to a temporary name and renamed, so a failed run leaves the old
referential in place.
"""
import json
import os
import sys

import polars as pl


def load(src, name):
    with open(os.path.join(src, name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def write(df, out, name):
    path = os.path.join(out, name + ".parquet")
    tmp = path + ".tmp"
    df.write_parquet(tmp, compression="zstd", compression_level=19, statistics=False)
    os.replace(tmp, path)
    print(f"{name}.parquet: {df.height} rows")


def main(src, out, version):
    os.makedirs(out, exist_ok=True)
    communes = load(src, "communes")
    epcis = load(src, "epci")
    departements = load(src, "departements")
    regions = load(src, "regions")

    epci_of = {}
    for e in epcis:
        for m in e["membres"]:
            if m["code"] in epci_of:
                sys.exit(f"commune {m['code']} is a member of two EPCI")
            epci_of[m["code"]] = e["code"]

    current = {c["code"] for c in communes if c["type"] == "commune-actuelle"}
    kinds = {
        "commune-actuelle": "commune",
        "arrondissement-municipal": "arrondissement",
        "commune-deleguee": "deleguee",
        "commune-associee": "associee",
    }
    rows = []
    former = {}
    for c in communes:
        kind = kinds[c["type"]]
        if kind == "commune":
            parent = None
        elif kind == "arrondissement":
            parent = c["commune"]
        else:
            parent = c["chefLieu"]
        if parent is not None and parent not in current:
            sys.exit(f"{c['code']} ({kind}) points to {parent}, which is not a current commune")
        rows.append(
            {
                "code": c["code"],
                "name": c["nom"],
                "kind": kind,
                "parent": parent,
                "departement": c["departement"],
                "region": c["region"],
                # EPCI membership is given for current communes; an arrondissement or a
                # déléguée belongs to the EPCI of its commune.
                "epci": epci_of.get(parent or c["code"]),
                "population": c.get("population"),
                "zone": c["zone"],
            }
        )
        for old in c.get("anciensCodes", []):
            if old not in current:
                former.setdefault(old, c["code"])

    schema = {
        "code": pl.String, "name": pl.String, "kind": pl.String, "parent": pl.String,
        "departement": pl.String, "region": pl.String, "epci": pl.String,
        "population": pl.Int64, "zone": pl.String,
    }
    write(pl.DataFrame(rows, schema=schema).sort("code", "kind"), out, "communes")
    write(
        pl.DataFrame(
            [{"code": k, "current": v} for k, v in former.items()],
            schema={"code": pl.String, "current": pl.String},
        ).sort("code"),
        out,
        "former_codes",
    )
    write(
        pl.DataFrame(
            [
                {
                    "code": e["code"],
                    "name": e["nom"],
                    "type": e["type"],
                    "financing": e.get("modeFinancement") or None,
                    "population": e.get("populationMunicipale"),
                    "members": len(e["membres"]),
                }
                for e in epcis
            ],
            schema={"code": pl.String, "name": pl.String, "type": pl.String,
                    "financing": pl.String, "population": pl.Int64, "members": pl.Int64},
        ).sort("code"),
        out,
        "epci",
    )
    write(
        pl.DataFrame(
            [{"code": d["code"], "name": d["nom"], "region": d["region"],
              "chef_lieu": d.get("chefLieu"), "zone": d["zone"]} for d in departements],
            schema={"code": pl.String, "name": pl.String, "region": pl.String,
                    "chef_lieu": pl.String, "zone": pl.String},
        ).sort("code"),
        out,
        "departements",
    )
    write(
        pl.DataFrame(
            [{"code": r["code"], "name": r["nom"], "chef_lieu": r.get("chefLieu"),
              "zone": r["zone"]} for r in regions],
            schema={"code": pl.String, "name": pl.String, "chef_lieu": pl.String,
                    "zone": pl.String},
        ).sort("code"),
        out,
        "regions",
    )
    with open(os.path.join(out, "VERSION"), "w", encoding="utf-8") as f:
        f.write(f"@etalab/decoupage-administratif {version}\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
