#!/usr/bin/env python3
"""NannyML 0.13.1's answers for the estimation tests (Tests/MLOpsCoreTests/Estimation).

The Swift tests write CSV files and a request; this script runs NannyML (and the
scikit-learn pieces it is built on) on the same files and writes its numbers back:

    <venv>/bin/python scripts/nannyml_reference.py REQUEST.json RESPONSE.json

The venv comes from scripts/nannyml-venv.sh (nannyml==0.13.1 and statsmodels, which
nannyml imports without declaring it).

Request: {"op": NAME, "cases": [...]}. Response: {"results": [...]}, one per case.
Operations:
- "isotonic": {"reference": CSV, "score": COL, "target": COL, "positive": VALUE,
  "query": CSV, "query_score": COL} -> nannyml's IsotonicCalibrator fitted on the reference
  (every row), applied to the query scores, and nannyml's needs_calibration decision.
- "platt": {"reference": CSV, "score": COL, "target": COL, "positive": VALUE} -> a, b of
  scikit-learn's _sigmoid_calibration, and the calibrated reference scores.
- "cbpe": {"reference": CSV, "analysis": CSV, "target": COL, "prediction": COL,
  "scores": {CLASS: COL} (one entry, the positive class, for binary), "positive": VALUE,
  "chunk_size": N, "metrics": [...]} -> per analysis chunk and metric: value, sampling
  error, bounds, realized, thresholds, alert; and the calibration decision per class.
- "drc": {"reference": CSV, "analysis": CSV, "columns": [...], "chunk_size": N} -> per
  analysis chunk the reconstruction error and its sampling error; thresholds; the number of
  components; per reference chunk the error.
- "timing": a "cbpe" or "drc" case (with "kind") timed end to end (read, fit, estimate).
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def read_csv(path, **options):
    """Every number parsed exactly as written (Swift writes the shortest round-trip form)."""
    return pd.read_csv(path, float_precision="round_trip", **options)


def _binary_frame(path, target, prediction, score, positive):
    data = read_csv(path, dtype={target: str, prediction: str} if prediction else {target: str})
    if target in data.columns:
        data[target] = (data[target].astype(str) == str(positive)).astype(int)
    if prediction:
        data[prediction] = (data[prediction].astype(str) == str(positive)).astype(int)
    return data


def isotonic(case):
    from nannyml.calibration import IsotonicCalibrator, needs_calibration

    ref = read_csv(case["reference"], dtype={case["target"]: str})
    y = (ref[case["target"]].astype(str) == str(case["positive"])).astype(int).to_numpy()
    scores = ref[case["score"]].to_numpy(dtype=float)
    calibrator = IsotonicCalibrator()
    needed = bool(needs_calibration(pd.Series(y), pd.Series(scores), IsotonicCalibrator()))
    calibrator.fit(scores, y)
    query = read_csv(case["query"])[case["query_score"]].to_numpy(dtype=float)
    return {"needs_calibration": needed, "calibrated": [float(v) for v in calibrator.calibrate(query)]}


def platt(case):
    from sklearn.calibration import _sigmoid_calibration

    ref = read_csv(case["reference"], dtype={case["target"]: str})
    y = (ref[case["target"]].astype(str) == str(case["positive"])).astype(int).to_numpy()
    scores = ref[case["score"]].to_numpy(dtype=float)
    a, b = _sigmoid_calibration(scores, y)
    return {"a": float(a), "b": float(b), "calibrated": [float(v) for v in 1 / (1 + np.exp(a * scores + b))]}


def _none(value):
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else value


def cbpe(case):
    import nannyml as nml

    scores = case["scores"]
    binary = len(scores) == 1
    target, prediction = case["target"], case["prediction"]
    if binary:
        positive = case["positive"]
        (score_column,) = scores.values()
        reference = _binary_frame(case["reference"], target, prediction, score_column, positive)
        analysis = _binary_frame(case["analysis"], target, prediction, score_column, positive)
        y_pred_proba = score_column
        problem = "classification_binary"
    else:
        dtypes = {target: str, prediction: str}
        reference = read_csv(case["reference"], dtype=dtypes)
        analysis = read_csv(case["analysis"], dtype=dtypes)
        y_pred_proba = dict(scores)
        problem = "classification_multiclass"
    estimator = nml.CBPE(
        y_pred_proba=y_pred_proba,
        y_pred=prediction,
        y_true=target,
        metrics=case["metrics"],
        chunk_size=case["chunk_size"],
        problem_type=problem,
    )
    estimator.fit(reference)
    result = estimator.estimate(analysis).filter(period="analysis").to_df()
    chunks = []
    for _, row in result.iterrows():
        entry = {"start": int(row[("chunk", "start_index")]), "end": int(row[("chunk", "end_index")]) + 1}
        for metric in case["metrics"]:
            entry[metric] = {
                "value": _none(row[(metric, "value")]),
                "sampling_error": _none(row[(metric, "sampling_error")]),
                "lower": _none(row[(metric, "lower_confidence_boundary")]),
                "upper": _none(row[(metric, "upper_confidence_boundary")]),
                "realized": _none(row[(metric, "realized")]) if (metric, "realized") in row.index else None,
                "threshold_lower": _none(row[(metric, "lower_threshold")]),
                "threshold_upper": _none(row[(metric, "upper_threshold")]),
                "alert": bool(row[(metric, "alert")]),
            }
        chunks.append(entry)
    if binary:
        calibrated = {"positive": bool(estimator.needs_calibration)}
    else:
        calibrated = {
            cls: type(cal).__name__ != "NoopCalibrator" for cls, cal in estimator._calibrators.items()
        }
    return {"chunks": chunks, "calibrated": calibrated}


def drc(case):
    import nannyml as nml

    reference = read_csv(case["reference"])
    analysis = read_csv(case["analysis"])
    calculator = nml.DataReconstructionDriftCalculator(column_names=case["columns"], chunk_size=case["chunk_size"])
    calculator.fit(reference)
    result = calculator.calculate(analysis)
    frame = result.to_df()
    chunks = []
    reference_chunks = []
    for _, row in frame.iterrows():
        entry = {
            "start": int(row[("chunk", "start_index")]),
            "end": int(row[("chunk", "end_index")]) + 1,
            "value": _none(row[("reconstruction_error", "value")]),
            "sampling_error": _none(row[("reconstruction_error", "sampling_error")]),
            "upper_threshold": _none(row[("reconstruction_error", "upper_threshold")]),
            "lower_threshold": _none(row[("reconstruction_error", "lower_threshold")]),
            "alert": bool(row[("reconstruction_error", "alert")]),
        }
        if row[("chunk", "period")] == "reference":
            reference_chunks.append(entry)
        else:
            chunks.append(entry)
    return {
        "chunks": chunks,
        "reference_chunks": reference_chunks,
        "components": int(calculator._pca.n_components_),
        "explained_variance_ratio": [float(v) for v in calculator._pca.explained_variance_ratio_],
    }


def timing(case):
    start = time.perf_counter()
    result = cbpe(case) if case["kind"] == "cbpe" else drc(case)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "chunks": len(result["chunks"])}


OPS = {"isotonic": isotonic, "platt": platt, "cbpe": cbpe, "drc": drc, "timing": timing}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    op = OPS[request["op"]]
    results = [op(case) for case in request["cases"]]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
