#!/usr/bin/env python3
"""Reference values for the statistics tests (Tests/MLOpsCoreTests/Statistics).

The Swift tests generate their data, write a request as JSON and run
`python3 scripts/statistics_reference.py REQUEST.json RESPONSE.json`; this script computes
the same statistics on the same data with scipy/numpy and writes them back as JSON. Where
the library follows scipy (KS, chi-square, Jensen-Shannon, Benjamini-Hochberg, normal
quantile, incomplete gamma) scipy itself is called; where there is no scipy function (PSI,
Wilson interval, two-proportion z-tests, the A/B mixture SPRT) the textbook definition is written out here with
numpy and scipy.stats.norm, independently of the Swift code.

Request: {"op": NAME, "cases": [...]}. Response: {"results": [...]}, one per case, None
where scipy refuses the input (raises).
"""
import json
import math
import sys

import numpy as np
from scipy import special, stats
from scipy.spatial import distance


def ks(case):
    """Samples inline ("a", "b") or as raw little-endian float64 files ("a_file", "b_file")."""
    a = np.fromfile(case["a_file"], dtype="<f8") if "a_file" in case else np.asarray(case["a"], dtype=float)
    b = np.fromfile(case["b_file"], dtype="<f8") if "b_file" in case else np.asarray(case["b"], dtype=float)
    result = stats.ks_2samp(a, b)
    return {"statistic": float(result.statistic), "pvalue": float(result.pvalue)}


def kstwo_sf(case):
    n, d = case
    return float(stats.kstwo.sf(d, n))


def smirnov(case):
    n, d = case
    return float(special.smirnov(int(n), d))


def psi(case):
    """PSI over reference quantile bins: edges at np.quantile (linear) of the reference at
    k/bins, duplicates collapsed by np.unique, a value x in bin searchsorted(edges, x,
    side='right'); shares floored at epsilon; sum of (c - r) * ln(c / r)."""
    reference = np.asarray(case["reference"], dtype=float)
    current = np.asarray(case["current"], dtype=float)
    bins = case["bins"]
    epsilon = case["epsilon"]
    edges = np.unique(np.quantile(reference, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1) / len(reference)
    c = np.bincount(np.searchsorted(edges, current, side="right"), minlength=len(edges) + 1) / len(current)
    r = np.maximum(r, epsilon)
    c = np.maximum(c, epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


def psi_categorical(case):
    reference = case["reference"]
    current = case["current"]
    epsilon = case["epsilon"]
    keys = sorted(set(reference) | set(current))
    r = np.array([reference.get(k, 0) for k in keys], dtype=float)
    c = np.array([current.get(k, 0) for k in keys], dtype=float)
    r = np.maximum(r / r.sum(), epsilon)
    c = np.maximum(c / c.sum(), epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


def chi2(case):
    table = np.array([case["reference"], case["current"]], dtype=float)
    table = table[:, table.sum(axis=0) > 0]  # categories absent from both are dropped
    try:
        result = stats.chi2_contingency(table)
    except ValueError:
        return None
    return {"statistic": float(result.statistic), "dof": int(result.dof), "pvalue": float(result.pvalue)}


def gammaincc(case):
    a, x = case
    return float(special.gammaincc(a, x))


def jensenshannon(case):
    return float(distance.jensenshannon(np.asarray(case["p"], dtype=float), np.asarray(case["q"], dtype=float), base=2))


def bh(case):
    return [float(v) for v in np.atleast_1d(stats.false_discovery_control(np.asarray(case, dtype=float), method="bh"))]


def norm_ppf(case):
    return float(stats.norm.ppf(case))


def norm_cdf_sf(case):
    return [float(stats.norm.cdf(case)), float(stats.norm.sf(case))]


def wilson(case):
    """Wilson score interval from the textbook formula (statsmodels' method='wilson')."""
    k, n, confidence = case
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [max(centre - half, 0.0), min(centre + half, 1.0)]


def two_proportion(case):
    """Pooled two-proportion z-test, two-sided p-value from the normal survival function."""
    xa, na, xb, nb = case
    pooled = (xa + xb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    z = (xa / na - xb / nb) / se
    return [z, float(2 * stats.norm.sf(abs(z)))]


def ab_one_sided(case):
    """The A/B test's fixed-horizon z: pooled two-proportion z of the challenger against the
    champion (positive when the challenger's rate is higher), one-sided p = norm.sf(z).
    Case: [champion successes, champion n, challenger successes, challenger n]."""
    xa, na, xb, nb = (float(v) for v in case)
    pooled = (xa + xb) / (na + nb)
    variance = pooled * (1 - pooled) * (1 / na + 1 / nb)
    if variance == 0:
        return [0.0, 0.5]
    z = (xb / nb - xa / na) / np.sqrt(variance)
    return [float(z), float(stats.norm.sf(z))]


def ab_msprt(case):
    """Mixture SPRT for a difference of proportions (Johari, Pekelis, Walsh), normal
    approximation, mixing N(0, tau2), written in its first form:
    Lambda = sqrt(v/(v + tau2)) * exp(tau2 * d^2 / (2 v (v + tau2))), p = min(1, 1/Lambda).
    Case: [champion successes, champion n, challenger successes, challenger n, tau2].
    Returns [z, log Lambda, p]."""
    xa, na, xb, nb, tau2 = (float(v) for v in case)
    pooled = (xa + xb) / (na + nb)
    v = pooled * (1 - pooled) * (1 / na + 1 / nb)
    if v == 0:
        return [0.0, 0.0, 1.0]
    d = xb / nb - xa / na
    log_lambda = 0.5 * np.log(v / (v + tau2)) + tau2 * d * d / (2 * v * (v + tau2))
    return [float(d / np.sqrt(v)), float(log_lambda), float(min(1.0, np.exp(-log_lambda)))]


def drift_files(case):
    """`mlopsctl drift` recomputed from the two CSV files with the csv module, numpy and
    scipy: a column is categorical when named so or when a non-empty cell is not a number
    in either file; ks_2samp on the finite numbers, chi2_contingency on the category counts
    (categories absent from both dropped), jensenshannon (base 2), false_discovery_control
    (bh) over the tested columns, and the drift rule of docs/monitoring.md."""
    import csv

    def read(path):
        with open(path, newline="", encoding="utf-8") as source:
            rows = list(csv.reader(source))
        header, body = rows[0], rows[1:]
        return {name: [row[i] for row in body] for i, name in enumerate(header)}, header, len(body)

    def is_number(text):
        try:
            float(text)
            return True
        except ValueError:
            return False

    reference, header, rows_reference = read(case["reference"])
    current, _, rows_current = read(case["current"])
    named = set(case["categorical"])
    threshold, alpha = case["threshold"], case["alpha"]
    columns = []
    for name in header:
        cells = reference[name] + current[name]
        categorical = name in named or any(v != "" and not is_number(v) for v in cells)
        column = {"name": name, "type": "categorical" if categorical else "numerical", "statistic": None, "pvalue": None,
                  "jensenshannon": None}
        if categorical:
            r = [v for v in reference[name] if v != ""]
            c = [v for v in current[name] if v != ""]
            column["missing_reference"] = len(reference[name]) - len(r)
            column["missing_current"] = len(current[name]) - len(c)
            keys = sorted(set(r) | set(c))
            table = np.array([[r.count(k) for k in keys], [c.count(k) for k in keys]], dtype=float)
            if r and c:
                result = stats.chi2_contingency(table)
                column["statistic"] = float(result.statistic)
                column["pvalue"] = float(result.pvalue)
                column["jensenshannon"] = float(distance.jensenshannon(table[0], table[1], base=2))
        else:
            a = np.array([float(v) for v in reference[name] if v != ""])
            b = np.array([float(v) for v in current[name] if v != ""])
            a, b = a[np.isfinite(a)], b[np.isfinite(b)]
            column["missing_reference"] = len(reference[name]) - len(a)
            column["missing_current"] = len(current[name]) - len(b)
            if len(a) and len(b):
                result = stats.ks_2samp(a, b)
                column["statistic"] = float(result.statistic)
                column["pvalue"] = float(result.pvalue)
        columns.append(column)
    tested = [c for c in columns if c["pvalue"] is not None]
    adjusted = stats.false_discovery_control(np.array([c["pvalue"] for c in tested]), method="bh") if tested else []
    for column in columns:
        column["p_adjusted"] = None
        column["drift"] = False
    for column, p in zip(tested, np.atleast_1d(adjusted)):
        column["p_adjusted"] = float(p)
        effect = column["jensenshannon"] if column["type"] == "categorical" else column["statistic"]
        column["drift"] = bool(effect > threshold and p < alpha)
    drifted = sum(c["drift"] for c in columns)
    return {"columns": columns, "drift_share": drifted / len(columns) if columns else 0.0,
            "rows_reference": rows_reference, "rows_current": rows_current}


OPERATIONS = {
    "ks": ks,
    "kstwo_sf": kstwo_sf,
    "smirnov": smirnov,
    "psi": psi,
    "psi_categorical": psi_categorical,
    "chi2": chi2,
    "gammaincc": gammaincc,
    "jensenshannon": jensenshannon,
    "bh": bh,
    "norm_ppf": norm_ppf,
    "norm_cdf_sf": norm_cdf_sf,
    "wilson": wilson,
    "two_proportion": two_proportion,
    "drift_files": drift_files,
    "ab_one_sided": ab_one_sided,
    "ab_msprt": ab_msprt,
}


def main():
    with open(sys.argv[1]) as source:
        request = json.load(source)
    operation = OPERATIONS[request["op"]]
    results = [operation(case) for case in request["cases"]]
    with open(sys.argv[2], "w") as target:
        json.dump({"results": results}, target)


if __name__ == "__main__":
    main()
