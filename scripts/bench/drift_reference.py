#!/usr/bin/env python3
"""The Python references of `make bench`'s drift run (docs/benchmarks.md).

    drift_reference.py scipy     REFERENCE.csv CURRENT.csv CATEGORICAL [THRESHOLD ALPHA]
    drift_reference.py evidently REFERENCE.csv CURRENT.csv CATEGORICAL

CATEGORICAL is a comma-separated list of column names ('' for none).

scipy: what a data scientist writes by hand for the job `mlopsctl drift` does:
pandas.read_csv on both files, scipy.stats.ks_2samp on each numerical column (missing
values dropped), scipy.stats.chi2_contingency and the Jensen-Shannon distance on each
categorical column, Benjamini-Hochberg (scipy.stats.false_discovery_control) across
columns, and the same drift rule.

evidently: evidently's DataDriftPreset (Report(metrics=[DataDriftPreset()]).run(...)) on
the same two files read with pandas.read_csv, with the columns' types declared.

Prints one JSON object on stdout: the phases' wall times in seconds (import, read, tests,
total, all from the start of the interpreter's work on this script) and the drifted
columns, so the benchmark can check that the answers agree.
"""
import json
import sys
import time

START = time.perf_counter()


def scipy_reference(reference_path, current_path, categorical, threshold, alpha):
    import numpy as np
    import pandas as pd
    from scipy import stats
    from scipy.spatial import distance

    imported = time.perf_counter()
    reference = pd.read_csv(reference_path)
    current = pd.read_csv(current_path)
    read = time.perf_counter()
    names, tests, effects, pvalues = [], [], [], []
    for name in reference.columns:
        if name in categorical:
            r = reference[name].dropna().astype(str).value_counts()
            c = current[name].dropna().astype(str).value_counts()
            keys = sorted(set(r.index) | set(c.index))
            table = np.array([[r.get(k, 0) for k in keys], [c.get(k, 0) for k in keys]], dtype=float)
            result = stats.chi2_contingency(table)
            effect = float(distance.jensenshannon(table[0], table[1], base=2))
            tests.append("chi_square")
        else:
            result = stats.ks_2samp(reference[name].dropna().to_numpy(), current[name].dropna().to_numpy())
            effect = float(result.statistic)
            tests.append("ks")
        names.append(name)
        effects.append(effect)
        pvalues.append(float(result.pvalue))
    adjusted = stats.false_discovery_control(np.asarray(pvalues), method="bh")
    drifted = [n for n, e, p in zip(names, effects, adjusted) if e > threshold and p < alpha]
    done = time.perf_counter()
    return imported, read, done, drifted, len(names)


def evidently_reference(reference_path, current_path, categorical):
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    imported = time.perf_counter()
    reference = pd.read_csv(reference_path)
    current = pd.read_csv(current_path)
    read = time.perf_counter()
    numerical = [c for c in reference.columns if c not in categorical]
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=[c for c in reference.columns if c in categorical])
    report = Report(metrics=[DataDriftPreset()])
    snapshot = report.run(
        current_data=Dataset.from_pandas(current, data_definition=definition),
        reference_data=Dataset.from_pandas(reference, data_definition=definition),
    )
    drifted = []
    for metric in snapshot.dict().get("metrics", []):
        config = metric.get("config", {}) if isinstance(metric, dict) else {}
        value = metric.get("value") if isinstance(metric, dict) else None
        column = config.get("column")
        threshold = config.get("threshold")
        if column is not None and isinstance(value, (int, float)) and threshold is not None:
            # ValueDrift: the value is the drift score; p-value methods drift below the threshold.
            method = str(config.get("method", ""))
            if ("p_value" in method or "p-value" in method) and value < threshold:
                drifted.append(column)
            elif not ("p_value" in method or "p-value" in method) and value >= threshold:
                drifted.append(column)
    done = time.perf_counter()
    return imported, read, done, drifted, len(reference.columns)


def main():
    mode, reference_path, current_path = sys.argv[1], sys.argv[2], sys.argv[3]
    categorical = set(filter(None, sys.argv[4].split(","))) if len(sys.argv) > 4 else set()
    threshold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.1
    alpha = float(sys.argv[6]) if len(sys.argv) > 6 else 0.01
    if mode == "scipy":
        imported, read, done, drifted, columns = scipy_reference(reference_path, current_path, categorical, threshold, alpha)
    elif mode == "evidently":
        imported, read, done, drifted, columns = evidently_reference(reference_path, current_path, categorical)
    else:
        sys.exit(f"unknown mode {mode!r}: scipy or evidently")
    print(json.dumps({
        "import_s": imported - START,
        "read_s": read - imported,
        "tests_s": done - read,
        "total_s": done - START,
        "drifted": sorted(drifted),
        "columns": columns,
    }))


if __name__ == "__main__":
    main()
