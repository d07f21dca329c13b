#!/usr/bin/env python3
"""Reference values for the training tests (Tests/MLOpsCoreTests/Training).

The Swift tests write a request as JSON and run
`python3 scripts/training_reference.py REQUEST.json RESPONSE.json`; this script computes
the same thing with numpy and scipy, written out here independently of the Swift code:

- "fit": builds the design matrix from the raw feature values (numerical columns
  standardised with the training mean and population standard deviation, 1 for a constant
  column; categorical columns one-hot over the declared values then the other seen values,
  sorted), and minimises the objective of docs/trainer.md,
      mean log loss + l2/2 * ||W||^2   (intercepts not penalised),
  with scipy.optimize.minimize(method="L-BFGS-B") to a tight tolerance. Softmax intercepts
  are centred (the objective does not change when all shift together).
- "evaluate": given a model.json and rows, computes the probabilities and classes with
  numpy from the model's own numbers, and the metrics as sklearn.metrics defines them
  (sklearn itself when it is installed): accuracy, per-class precision/recall/f1 with
  zero_division=0, log_loss (probabilities clipped to [eps, 1-eps]), ROC AUC of the last
  class against the rest.

Request: {"op": NAME, "cases": [...]}. Response: {"results": [...]}, one per case.
"""
import json
import sys

import numpy as np
from scipy import optimize, stats

try:  # optional: the same definitions written by sklearn
    from sklearn import metrics as skm
except ImportError:  # pragma: no cover - depends on the machine
    skm = None


def design(features, rows=None):
    """Training design matrix and the encodings it learnt: features is a list of
    {"type", "values", "declared"} with one value per row."""
    columns = []
    encodings = []
    for feature in features:
        if feature["type"] == "numerical":
            x = np.asarray(feature["values"], dtype=float)
            mean = x.mean()
            std = x.std()
            if not std > 1e-12 * max(1.0, abs(mean)):
                std = 1.0
            columns.append(((x - mean) / std)[:, None])
            encodings.append({"mean": float(mean), "std": float(std)})
        else:
            values = feature["values"]
            declared = list(feature.get("declared") or [])
            categories = declared + sorted(set(values) - set(declared))
            onehot = np.array([[1.0 if v == c else 0.0 for c in categories] for v in values]).reshape(len(values), len(categories))
            columns.append(onehot)
            encodings.append({"categories": categories})
    return np.hstack(columns), encodings


def objective(theta, x, y, outputs, l2):
    n, d = x.shape
    t = theta.reshape(outputs, d + 1)
    w, b = t[:, :d], t[:, d]
    z = x @ w.T + b
    if outputs == 1:
        z = z[:, 0]
        loss = np.mean(np.logaddexp(0.0, z) - y * z)
        r = (1.0 / (1.0 + np.exp(-z)) - y)[:, None]
    else:
        lse = np.logaddexp.reduce(z, axis=1)
        loss = np.mean(lse - z[np.arange(n), y])
        r = np.exp(z - lse[:, None])
        r[np.arange(n), y] -= 1.0
    gw = r.T @ x / n + l2 * w
    gb = r.sum(axis=0) / n
    value = loss + 0.5 * l2 * np.sum(w * w)
    return value, np.hstack([gw, gb[:, None]]).ravel()


def fit(case):
    x, encodings = design(case["features"])
    y = np.asarray(case["labels"], dtype=int if case["outputs"] > 1 else float)
    outputs = case["outputs"]
    d = x.shape[1]
    result = optimize.minimize(
        objective, np.zeros(outputs * (d + 1)), args=(x, y, outputs, case["l2"]), jac=True, method="L-BFGS-B",
        options={"maxiter": 100000, "maxfun": 200000, "gtol": 1e-13, "ftol": 1e-16, "maxcor": 20})
    t = result.x.reshape(outputs, d + 1)
    intercepts = t[:, d]
    if outputs > 1:
        intercepts = intercepts - intercepts.mean()
    _, gradient = objective(result.x, x, y, outputs, case["l2"])
    return {
        "weights": t[:, :d].tolist(),
        "intercepts": intercepts.tolist(),
        "objective": float(result.fun),
        "gradient_norm": float(np.max(np.abs(gradient))),
        "encodings": encodings,
    }


def sigmoid(z):
    """The piecewise form docs/trainer.md gives (no overflow on either side)."""
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1.0 + e)
    return out


def encode(model, rows):
    columns = []
    for f, feature in enumerate(model["features"]):
        values = [row[f] for row in rows]
        if feature["type"] == "numerical":
            columns.append(((np.asarray(values, dtype=float) - feature["mean"]) / feature["std"])[:, None])
        else:
            cats = feature["categories"]
            columns.append(np.array([[1.0 if v == c else 0.0 for c in cats] for v in values]).reshape(len(values), len(cats)))
    return np.hstack(columns)


def evaluate(case):
    model = case["model"]
    classes = model["classes"]
    x = encode(model, case["rows"])
    z = x @ np.asarray(model["weights"]).T + np.asarray(model["intercepts"])
    if z.shape[1] == 1:
        p = sigmoid(z[:, 0])
        proba = np.column_stack([1.0 - p, p])
        predicted = (z[:, 0] > 0).astype(int)
    else:
        lse = np.logaddexp.reduce(z, axis=1)
        proba = np.exp(z - lse[:, None])
        predicted = np.argmax(z, axis=1)
    index = {c: i for i, c in enumerate(classes)}
    labels = np.array([index[v] for v in case["labels"]])
    k = len(classes)
    ks = list(range(k))
    if skm is not None:
        accuracy = skm.accuracy_score(labels, predicted)
        precision = skm.precision_score(labels, predicted, labels=ks, average=None, zero_division=0)
        recall = skm.recall_score(labels, predicted, labels=ks, average=None, zero_division=0)
        f1 = skm.f1_score(labels, predicted, labels=ks, average=None, zero_division=0)
        log_loss = skm.log_loss(labels, proba, labels=ks)
    else:
        accuracy = np.mean(predicted == labels)
        tp = np.array([np.sum((predicted == c) & (labels == c)) for c in ks], dtype=float)
        npred = np.array([np.sum(predicted == c) for c in ks], dtype=float)
        support = np.array([np.sum(labels == c) for c in ks], dtype=float)
        precision = np.divide(tp, npred, out=np.zeros(k), where=npred > 0)
        recall = np.divide(tp, support, out=np.zeros(k), where=support > 0)
        f1 = np.divide(2 * tp, npred + support, out=np.zeros(k), where=(npred + support) > 0)
        eps = np.finfo(proba.dtype).eps
        clipped = np.clip(proba, eps, 1 - eps)
        log_loss = float(np.mean(-np.log(clipped[np.arange(len(labels)), labels])))
    positive = labels == k - 1
    auc = None
    if positive.any() and (~positive).any():
        score = proba[:, k - 1]
        if skm is not None:
            auc = float(skm.roc_auc_score(positive.astype(int), score))
        else:
            u = stats.mannwhitneyu(score[positive], score[~positive]).statistic
            auc = float(u / (positive.sum() * (~positive).sum()))
    return {
        "probabilities": proba.tolist(),
        "predicted": [classes[i] for i in predicted],
        "accuracy": float(accuracy),
        "precision": [float(v) for v in precision],
        "recall": [float(v) for v in recall],
        "f1": [float(v) for v in f1],
        "support": [int(np.sum(labels == c)) for c in ks],
        "log_loss": float(log_loss),
        "roc_auc": auc,
        "sklearn": skm is not None,
    }


OPERATIONS = {"fit": fit, "evaluate": evaluate}


def main():
    with open(sys.argv[1]) as f:
        request = json.load(f)
    operation = OPERATIONS[request["op"]]
    with open(sys.argv[2], "w") as f:
        json.dump({"results": [operation(case) for case in request["cases"]]}, f)


if __name__ == "__main__":
    main()
