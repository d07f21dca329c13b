#!/usr/bin/env python3
"""Writes a deterministic, chest-X-ray-like training set for the demo model.

The columns fit examples/register-chest-xray.yaml: features patient_age (numerical),
exposure_kvp (numerical) and view_position (categorical: PA, AP); the target finding
(normal, pneumonia); equipment columns scanner_model and site; population columns age_band
and sex; and a study_id that models ignore. The label is learnable: pneumonia is more
likely in older patients and in AP films (portable radiographs of bed-bound patients), and
exposure follows the scanner and the view. Standard library only; the same seed gives the
same bytes on any Python 3.

    python3 scripts/make-demo-data.py > examples/demo-data/chest-xray-train.csv
    python3 scripts/make-demo-data.py --rows 500 --seed 7 --output /tmp/small.csv
"""
import argparse
import csv
import math
import random
import sys

SCANNERS = [("AcmeRad X1", 0.55, 0.0), ("Lumen DR5", 0.33, 6.0), ("Orion CR2", 0.12, -4.0)]
SITES = [("ward-3", 0.45, 0.25), ("ward-7", 0.35, 0.30), ("icu-1", 0.20, 0.85)]  # name, share, P(AP)


def pick(rng, choices):
    """A name from (name, share, ...) tuples, by share."""
    u = rng.random()
    total = 0.0
    for choice in choices:
        total += choice[1]
        if u < total:
            return choice
    return choices[-1]


def age_band(age):
    if age < 18:
        return "0-17"
    if age < 40:
        return "18-39"
    if age < 65:
        return "40-64"
    return "65+"


def rows(count, seed):
    rng = random.Random(seed)
    for i in range(count):
        scanner, _, kvp_offset = pick(rng, SCANNERS)
        site, _, p_ap = pick(rng, SITES)
        age = min(98, max(18, int(round(rng.gauss(58, 17)))))
        sex = "f" if rng.random() < 0.5 else "m"
        view = "AP" if rng.random() < p_ap else "PA"
        kvp = 112 + kvp_offset + (-9 if view == "AP" else 0) + rng.gauss(0, 5)
        logit = -2.4 + 0.1 * (age - 58) + 3.4 * (view == "AP") + 0.05 * (kvp - 110)
        finding = "pneumonia" if rng.random() < 1 / (1 + math.exp(-logit)) else "normal"
        yield {
            "study_id": "cx-%06d" % (i + 1),
            "patient_age": age,
            "exposure_kvp": "%.1f" % kvp,
            "view_position": view,
            "scanner_model": scanner,
            "site": site,
            "age_band": age_band(age),
            "sex": sex,
            "finding": finding,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000, help="data rows (default 4000)")
    parser.add_argument("--seed", type=int, default=20261129, help="random seed (default 20261129)")
    parser.add_argument("--output", help="file to write (default: standard output)")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    columns = ["study_id", "patient_age", "exposure_kvp", "view_position", "scanner_model", "site",
               "age_band", "sex", "finding"]
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    try:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows(args.rows, args.seed):
            writer.writerow(row)
    finally:
        if args.output:
            out.close()


if __name__ == "__main__":
    main()
