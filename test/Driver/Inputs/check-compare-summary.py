"""Recomputes the summary of a compare.json from its runs.

Prints the run count and seeds, then per configuration whether the mean and
sample standard deviation of the test accuracy and the traffic ratio (mean
bytes against the exact method's mean bytes) match what snnc wrote, and how
many of its runs moved a different number of bytes (the seeds differ).
With a second report, also whether its exact runs differ from the first's.
"""
import json
import math
import sys

report = json.load(open(sys.argv[1]))
runs = report["runs"]
seeds = report["seeds"]
print("runs %d, seeds %s" % (len(runs), [run["seed"] for run in runs]))


def total(run):
    return sum(sum(phase.values()) for phase in run["bytes_per_sample"].values())


exact_bytes = sum(total(run) for run in runs[:seeds]) / seeds
for index, summary in enumerate(report["summary"]):
    group = runs[index * seeds:(index + 1) * seeds]
    accuracies = [run["test_accuracy"] for run in group]
    mean = sum(accuracies) / len(accuracies)
    std = (math.sqrt(sum((a - mean) ** 2 for a in accuracies) /
                     (len(accuracies) - 1)) if len(accuracies) > 1 else 0.0)
    ratio = sum(total(run) for run in group) / seeds / exact_bytes
    per_seed = all(
        abs(run["traffic_ratio"] - total(run) / total(runs[k])) < 1e-9
        for k, run in enumerate(group))
    distinct = len(set(total(run) for run in group))
    print("%s mean %s, std %s, ratio %s, distinct %d" % (
        summary["method"],
        "ok" if abs(summary["test_accuracy_mean"] - mean) < 1e-12 else "wrong",
        "ok" if abs(summary["test_accuracy_std"] - std) < 1e-12 else "wrong",
        "ok" if abs(summary["traffic_ratio"] - ratio) < 1e-6 * ratio
        and per_seed else "wrong", distinct))

if len(sys.argv) > 2:
    other = json.load(open(sys.argv[2]))["runs"]
    print("other report differs:",
          all(total(a) != total(b) for a, b in zip(runs[:seeds], other)))
