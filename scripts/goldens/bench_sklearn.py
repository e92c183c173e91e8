"""Times scikit-learn's roc_auc_score and average_precision_score on 10,000,000 scores,
the sizes of packages/core/bench/metrics.bench.ts (10 % positives, uniform scores).

Run: /usr/bin/python3 scripts/goldens/bench_sklearn.py
pycocotools is not installed here, so the COCO half of the benchmark has no Python twin.
"""
import json
import time

import numpy as np
import sklearn
from sklearn.metrics import average_precision_score, roc_auc_score

N = 10_000_000


def timed(fn):
    """Wall-clock and process CPU milliseconds of one call (CPU time is steadier on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - wall) * 1000.0, (time.process_time() - cpu) * 1000.0, float(value)


def main():
    rng = np.random.default_rng(2024)
    labels = (rng.random(N) < 0.1).astype(np.int8)
    scores = rng.random(N)
    auroc_ms, auroc_cpu, auroc = timed(lambda: roc_auc_score(labels, scores))
    ap_ms, ap_cpu, ap = timed(lambda: average_precision_score(labels, scores))
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "numpy": np.__version__,
                "roc_auc_score_10m_ms": round(auroc_ms, 1),
                "average_precision_score_10m_ms": round(ap_ms, 1),
                "auroc_plus_ap_10m_ms": round(auroc_ms + ap_ms, 1),
                "auroc_plus_ap_10m_cpu_ms": round(auroc_cpu + ap_cpu, 1),
                "auroc_value": auroc,
                "ap_value": ap,
            }
        )
    )


if __name__ == "__main__":
    main()
