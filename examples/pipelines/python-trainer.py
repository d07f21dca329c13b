#!/usr/bin/env python3
"""A pipeline trainer in standard-library Python: the trainer contract from the user's side.

mlopsd runs this as the `train` stage of examples/pipelines/python.yaml (docs/pipelines.md):
no shell, working directory state/runs/<run>/train/, and these environment variables:

  MLOPSD_DATA        the training CSV (header row; the model's features, target, segments)
  MLOPSD_OUTPUT      the directory to write the artifact into
  MLOPSD_PARAMS      a JSON file with the run's parameters
  MLOPSD_MODEL_SPEC  the model's spec as JSON (features, target, classes, segments, metric)

It fits a one-vs-rest logistic regression by batch gradient descent on standardised
numerical and one-hot categorical features, holds out 20% of the rows to measure it, and
writes model.json, metrics.json (the model's metric among others), reference.csv (a
sample of the training rows: the monitoring baseline) and schema.json. Exit 0 on success,
2 when the data cannot be used (one line on stderr says why).
"""
import csv
import json
import math
import os
import random
import sys


def fail(message):
    print(f"python-trainer: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    try:
        data_path = os.environ["MLOPSD_DATA"]
        output = os.environ["MLOPSD_OUTPUT"]
        spec = json.load(open(os.environ["MLOPSD_MODEL_SPEC"]))
    except KeyError as missing:
        fail(f"{missing} is not set; run me as a pipeline stage")
    params = {}
    if os.environ.get("MLOPSD_PARAMS"):
        params = json.load(open(os.environ["MLOPSD_PARAMS"]))
    epochs = int(params.get("epochs", 300))
    rate = float(params.get("learning_rate", 0.5))
    seed = int(params.get("seed", 42))

    features = spec["features"]
    target = spec["target"]
    segments = spec.get("segments", {})
    segment_columns = segments.get("equipment", []) + segments.get("population", [])
    with open(data_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        fail(f"{data_path} has no rows")
    for column in [x["name"] for x in features] + [target] + segment_columns:
        if column not in rows[0]:
            fail(f"{data_path} has no column `{column}`")
    classes = spec.get("classes") or sorted({r[target] for r in rows})
    if len(classes) < 2:
        fail("the data has fewer than two classes")

    # Encoding: numerical features standardised, categorical ones one-hot.
    encoders = []
    for feature in features:
        name = feature["name"]
        if feature["type"] == "numerical":
            try:
                values = [float(r[name]) for r in rows]
            except ValueError as e:
                fail(f"column `{name}`: {e}")
            mean = sum(values) / len(values)
            sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
            encoders.append({"name": name, "type": "numerical", "mean": mean, "sd": sd})
        else:
            levels = feature.get("values") or sorted({r[name] for r in rows})
            encoders.append({"name": name, "type": "categorical", "levels": levels})

    def encode(row):
        x = [1.0]
        for e in encoders:
            if e["type"] == "numerical":
                x.append((float(row[e["name"]]) - e["mean"]) / e["sd"])
            else:
                x.extend(1.0 if row[e["name"]] == level else 0.0 for level in e["levels"])
        return x

    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    cut = int(len(rows) * 0.8)
    train_rows = [rows[i] for i in order[:cut]]
    valid_rows = [rows[i] for i in order[cut:]]
    X = [encode(r) for r in train_rows]
    width = len(X[0])

    def sigmoid(z):
        return 1 / (1 + math.exp(-z)) if z > -30 else 0.0

    # Binary: one weight vector for classes[1]; multiclass: one per class (one-vs-rest).
    positives = [classes[1]] if len(classes) == 2 else classes
    weights = {}
    for positive in positives:
        y = [1.0 if r[target] == positive else 0.0 for r in train_rows]
        w = [0.0] * width
        for _ in range(epochs):
            grad = [0.0] * width
            for xi, yi in zip(X, y):
                error = sigmoid(sum(a * b for a, b in zip(w, xi))) - yi
                for j in range(width):
                    grad[j] += error * xi[j]
            w = [wj - rate * g / len(X) for wj, g in zip(w, grad)]
        weights[positive] = w

    def probabilities(row):
        x = encode(row)
        if len(classes) == 2:
            p = sigmoid(sum(a * b for a, b in zip(weights[classes[1]], x)))
            return {classes[0]: 1 - p, classes[1]: p}
        scores = {c: sigmoid(sum(a * b for a, b in zip(weights[c], x))) for c in classes}
        total = sum(scores.values()) or 1.0
        return {c: s / total for c, s in scores.items()}

    # Metrics on the held-out rows.
    probs = [probabilities(r) for r in valid_rows]
    truth = [r[target] for r in valid_rows]
    predicted = [max(p, key=p.get) for p in probs]
    accuracy = sum(a == b for a, b in zip(predicted, truth)) / len(truth)
    log_loss = -sum(math.log(max(p[t], 1e-15)) for p, t in zip(probs, truth)) / len(truth)
    metrics = {"accuracy": accuracy, "log_loss": log_loss, "validation_rows": len(truth)}
    if len(classes) == 2:
        scored = sorted(zip([p[classes[1]] for p in probs], truth))
        pos = sum(1 for _, t in scored if t == classes[1])
        neg = len(scored) - pos
        rank_sum, i = 0.0, 0
        while i < len(scored):  # average ranks over ties
            j = i
            while j < len(scored) and scored[j][0] == scored[i][0]:
                j += 1
            rank_sum += sum((i + j + 1) / 2 for k in range(i, j) if scored[k][1] == classes[1])
            i = j
        metrics["roc_auc"] = (rank_sum - pos * (pos + 1) / 2) / (pos * neg) if pos and neg else 0.5

    os.makedirs(output, exist_ok=True)
    with open(os.path.join(output, "model.json"), "w") as f:
        json.dump({"format": "python-trainer", "classes": classes, "encoders": encoders, "weights": weights}, f, indent=1)
    with open(os.path.join(output, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    with open(os.path.join(output, "schema.json"), "w") as f:
        json.dump({"features": features}, f, indent=1)
    columns = [x["name"] for x in features] + segment_columns + [target]
    sample = train_rows[:2000]
    with open(os.path.join(output, "reference.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in sample:
            writer.writerow([r[c] for c in columns])
    summary = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
    print(f"python-trainer: {len(train_rows)} rows, {epochs} epochs; validation: {summary}")


if __name__ == "__main__":
    main()
