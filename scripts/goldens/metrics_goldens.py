"""Reference values for packages/core metrics, calibration, conformal and measures tests.

Run with Debian's interpreter (scikit-learn 1.2, torch 1.13, scipy):
    /usr/bin/python3 scripts/goldens/metrics_goldens.py
Writes packages/core/test/goldens/metrics.json. Seeds are fixed, so the output is
reproducible. NaN is written as null; a metric that scikit-learn refuses to compute is
written as the string "error".

Where no library implements a metric (PRO, ECE variants, AURC with ties, APS scores), the
reference below is a direct NumPy transcription of the published definition, kept
independent of the TypeScript code; the binning itself comes from scikit-learn's
calibration_curve so bin edges and assignment are checked against the library.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy.ndimage
import scipy.optimize
import scipy.stats
import torch
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    auc,
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    jaccard_score,
    log_loss,
    multilabel_confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "core", "test", "goldens", "metrics.json")


def clean(x):
    """Converts numpy values to JSON, NaN to None."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.floating, float)):
        return None if math.isnan(float(x)) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


# ---------------------------------------------------------------- classification
def classification_cases(rng):
    cases = []
    specs = []
    for k in (2, 3, 5):
        for n in (1, 7, 60, 250):
            specs.append(("random", k, n))
    specs += [
        ("single-true-class", 3, 40),
        ("single-pred-class", 3, 40),
        ("absent-class", 4, 50),
        ("all-correct", 3, 30),
        ("all-wrong", 2, 30),
        ("binary-no-positives", 2, 20),
        ("binary-none-predicted", 2, 20),
    ]
    for kind, k, n in specs:
        y_true = rng.integers(0, k, n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, n))
        if kind == "single-true-class":
            y_true[:] = 1
        if kind == "single-pred-class":
            y_pred[:] = 2
        if kind == "absent-class":
            y_true = np.minimum(y_true, 2)
            y_pred = np.minimum(y_pred, 2)
        if kind == "all-correct":
            y_pred = y_true.copy()
        if kind == "all-wrong":
            y_pred = 1 - y_true
        if kind == "binary-no-positives":
            y_true[:] = 0
        if kind == "binary-none-predicted":
            y_pred[:] = 0
        labels = list(range(k))
        for zd in (0, 1):
            beta = 0.5 if (n == 60 and zd == 1) else 1.0
            per = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None, zero_division=zd, beta=beta)
            avgs = {}
            for avg in ("macro", "micro", "weighted") + (("binary",) if k == 2 else ()):
                p, r, f, _ = precision_recall_fscore_support(
                    y_true, y_pred, labels=labels, average=avg, zero_division=zd, beta=beta
                )
                avgs[avg] = [p, r, f]
            mcm = multilabel_confusion_matrix(y_true, y_pred, labels=labels)
            cases.append(
                {
                    "name": f"{kind}-k{k}-n{n}-zd{zd}",
                    "numClasses": k,
                    "yTrue": y_true,
                    "yPred": y_pred,
                    "zeroDivision": zd,
                    "beta": beta,
                    "confusion": confusion_matrix(y_true, y_pred, labels=labels).ravel(),
                    "perClass": {"precision": per[0], "recall": per[1], "fscore": per[2], "support": per[3]},
                    "averages": avgs,
                    "oneVsRest": [[int(m[1, 1]), int(m[0, 1]), int(m[0, 0]), int(m[1, 0])] for m in mcm],
                }
            )
    return cases


# ---------------------------------------------------------------- ranking
def ranking_case(name, y, s, with_curves):
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    case = {"name": name, "labels": y, "scores": s}
    both = len(np.unique(y)) == 2
    case["auroc"] = roc_auc_score(y, s) if both else "error"
    case["ap"] = average_precision_score(y, s) if y.sum() > 0 else "error"
    if y.sum() > 0:
        p, r, t = precision_recall_curve(y, s)
        case["auprc"] = auc(r, p)
        if with_curves:
            case["pr"] = {"precision": p, "recall": r, "thresholds": t}
    else:
        case["auprc"] = "error"
    if both and with_curves:
        fpr, tpr, thr = roc_curve(y, s)
        fpr2, tpr2, _ = roc_curve(y, s, drop_intermediate=False)
        # thresholds[0] is max+1 in scikit-learn 1.2; the TypeScript curve uses +Infinity.
        case["roc"] = {"fpr": fpr, "tpr": tpr, "thresholds": thr[1:], "fprAll": fpr2, "tprAll": tpr2}
    return case


def ranking_cases(rng):
    cases = []
    for n in (2, 5, 20, 50, 400, 3000):
        y = (rng.random(n) < 0.3).astype(int)
        y[0], y[-1] = 1, 0
        s = rng.normal(size=n) + y
        cases.append(ranking_case(f"normal-n{n}", y, s, n <= 50))
        cases.append(ranking_case(f"ties-n{n}", y, np.round(s, 1), n <= 50))
        cases.append(ranking_case(f"heavy-ties-n{n}", y, rng.integers(0, 3, n).astype(float), n <= 50))
    y = (rng.random(40) < 0.5).astype(int)
    y[0], y[1] = 0, 1
    cases.append(ranking_case("all-equal", y, np.full(40, 0.7), True))
    cases.append(ranking_case("perfect", y, y + rng.random(40) * 0.5, True))
    cases.append(ranking_case("inverted", y, -y + rng.random(40) * 0.5, True))
    cases.append(ranking_case("negative-and-large", y, (rng.normal(size=40) + y) * 1e12 - 5e12, True))
    cases.append(ranking_case("float32-probs", y, rng.random(40).astype(np.float32).astype(float), True))
    cases.append(ranking_case("one-each", [0, 1], [0.2, 0.9], True))
    cases.append(ranking_case("one-each-tied", [0, 1], [0.5, 0.5], True))
    cases.append(ranking_case("only-positives", np.ones(10, int), rng.random(10), True))
    cases.append(ranking_case("only-negatives", np.zeros(10, int), rng.random(10), True))
    cases.append(ranking_case("signed-zeros", [0, 1, 0, 1], [0.0, -0.0, -0.0, 0.0], True))
    return cases


# ---------------------------------------------------------------- segmentation
def segmentation_cases(rng):
    cases = []

    def add(name, t, p, k):
        t = np.asarray(t).ravel()
        p = np.asarray(p).ravel()
        labels = list(range(k))
        iou1 = jaccard_score(t, p, labels=labels, average=None, zero_division=1)
        dice1 = f1_score(t, p, labels=labels, average=None, zero_division=1)
        present = np.array([(t == c).any() or (p == c).any() for c in labels])
        iou_ex = np.where(present, iou1, np.nan)
        dice_ex = np.where(present, dice1, np.nan)
        cases.append(
            {
                "name": name,
                "numClasses": k,
                "target": t,
                "prediction": p,
                "iouOne": iou1,
                "diceOne": dice1,
                "iouExclude": iou_ex,
                "diceExclude": dice_ex,
                "meanIouExclude": np.nanmean(iou_ex) if present.any() else float("nan"),
                "meanDiceOne": float(np.mean(dice1)),
            }
        )

    for k in (2, 3, 4):
        t = rng.integers(0, k, (16, 16))
        p = np.where(rng.random((16, 16)) < 0.7, t, rng.integers(0, k, (16, 16)))
        add(f"random-k{k}", t, p, k)
    z = np.zeros((8, 8), int)
    add("both-empty-defect", z, z, 2)
    m = z.copy()
    m[2:4, 2:5] = 1
    add("missed-defect", m, z, 2)
    add("false-defect", z, m, 2)
    q = z.copy()
    q[3:5, 3:6] = 1
    add("partial-overlap", m, q, 2)
    add("absent-class-3", rng.integers(0, 2, (8, 8)), rng.integers(0, 2, (8, 8)), 3)
    return cases


# ---------------------------------------------------------------- PRO and pixel AUROC
def pro_reference(maps, masks, max_fpr=0.3):
    """Per-region overlap curve, MVTec AD definition, float64 throughout."""
    structure = np.ones((3, 3), dtype=int)
    scores, fp_change, pro_change = [], [], []
    ok_pixels = 0
    regions = 0
    for amap, gt in zip(maps, masks):
        labeled, count = scipy.ndimage.label(gt, structure)
        regions += count
        ok = labeled == 0
        ok_pixels += ok.sum()
        fc = ok.astype(float)
        pc = np.zeros(gt.shape)
        for r in range(1, count + 1):
            region = labeled == r
            pc[region] = 1.0 / region.sum()
        scores.append(amap.ravel())
        fp_change.append(fc.ravel())
        pro_change.append(pc.ravel())
    s = np.concatenate(scores)
    order = np.argsort(s, kind="mergesort")[::-1]
    s = s[order]
    fpr = np.cumsum(np.concatenate(fp_change)[order]) / ok_pixels
    pro = np.cumsum(np.concatenate(pro_change)[order]) / regions
    keep = np.append(np.diff(s) != 0, True)
    fpr = np.clip(fpr[keep], None, 1.0)
    pro = np.clip(pro[keep], None, 1.0)
    fpr = np.concatenate(([0.0], fpr, [1.0]))
    pro = np.concatenate(([0.0], pro, [1.0]))
    # Integrate up to max_fpr, interpolating the crossing segment.
    area = 0.0
    for i in range(1, len(fpr)):
        if fpr[i] <= max_fpr:
            area += 0.5 * (pro[i] + pro[i - 1]) * (fpr[i] - fpr[i - 1])
            continue
        if fpr[i - 1] < max_fpr:
            y_cut = pro[i - 1] + (pro[i] - pro[i - 1]) * (max_fpr - fpr[i - 1]) / (fpr[i] - fpr[i - 1])
            area += 0.5 * (y_cut + pro[i - 1]) * (max_fpr - fpr[i - 1])
        break
    return fpr, pro, area / max_fpr


def pro_cases(rng):
    cases = []

    def add(name, maps, masks, curves):
        fpr, pro, au = pro_reference(maps, masks)
        flat_y = np.concatenate([(m != 0).ravel() for m in masks]).astype(int)
        flat_s = np.concatenate([a.ravel() for a in maps])
        case = {
            "name": name,
            "maps": [{"width": a.shape[1], "height": a.shape[0], "data": a.ravel()} for a in maps],
            "masks": [{"width": m.shape[1], "height": m.shape[0], "data": m.ravel()} for m in masks],
            "auPro": au,
            "auPro05": pro_reference(maps, masks, 0.05)[2],
            "pixelAuroc": roc_auc_score(flat_y, flat_s),
        }
        if curves:
            case["curve"] = {"fpr": fpr, "pro": pro}
        cases.append(case)

    def blobs(h, w, count):
        m = np.zeros((h, w), int)
        for _ in range(count):
            y, x = rng.integers(0, h - 3), rng.integers(0, w - 3)
            m[y : y + rng.integers(1, 4), x : x + rng.integers(1, 4)] = 1
        return m

    masks = [blobs(12, 10, 3), blobs(12, 10, 1), np.zeros((12, 10), int)]
    maps = [m * 0.8 + rng.random(m.shape) for m in masks]
    add("three-images", maps, masks, True)
    add("three-images-ties", [np.round(a, 1) for a in maps], masks, True)
    big = [blobs(24, 24, 5) for _ in range(4)]
    add("four-images", [m * 0.5 + rng.random(m.shape) for m in big], big, False)
    diag = np.zeros((6, 6), int)
    for i in range(6):
        diag[i, i] = 1
    add("diagonal-region-8-connected", [diag * 0.9 + rng.random((6, 6)) * 0.5], [diag], True)
    perfect = blobs(10, 10, 2)
    add("perfect", [perfect + rng.random((10, 10)) * 0.1], [perfect], True)
    return cases


# ---------------------------------------------------------------- calibration
def calibration_reference(probs, y, bins):
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    correct = (pred == y).astype(int)
    out = {}
    for strategy, key in (("uniform", "equalWidth"), ("quantile", "equalMass")):
        prob_true, prob_pred = calibration_curve(correct, conf, n_bins=bins, strategy=strategy)
        if strategy == "uniform":
            edges = np.linspace(0.0, 1.0, bins + 1)
        else:
            edges = np.percentile(conf, np.linspace(0, 1, bins + 1) * 100)
        ids = np.searchsorted(edges[1:-1], conf)
        counts = np.bincount(ids, minlength=bins)
        used = counts[counts > 0]
        gaps = np.abs(prob_true - prob_pred)
        out[key] = {
            "ece": float(np.sum(used / len(y) * gaps)),
            "mce": float(gaps.max()),
            "counts": counts,
            "accuracy": prob_true,
            "meanConfidence": prob_pred,
        }
    k = probs.shape[1]
    ace_gaps = []
    classwise = 0.0
    for c in range(k):
        yc = (y == c).astype(int)
        pt, pp = calibration_curve(yc, probs[:, c], n_bins=bins, strategy="quantile")
        ace_gaps.extend(np.abs(pt - pp).tolist())
        pt, pp = calibration_curve(yc, probs[:, c], n_bins=bins, strategy="uniform")
        ids = np.searchsorted(np.linspace(0.0, 1.0, bins + 1)[1:-1], probs[:, c])
        counts = np.bincount(ids, minlength=bins)
        classwise += float(np.sum(counts[counts > 0] / len(y) * np.abs(pt - pp)))
    out["ace"] = float(np.mean(ace_gaps))
    out["classwise"] = classwise / k
    onehot = np.eye(k)[y]
    out["brier"] = float(np.mean(np.sum((probs - onehot) ** 2, axis=1)))
    out["nll"] = log_loss(y, probs, labels=list(range(k)))
    return out


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def calibration_cases(rng):
    cases = []
    for n, k, bins, sharp in ((50, 3, 10, 1.0), (400, 4, 15, 2.5), (1000, 2, 15, 0.7), (300, 10, 20, 3.0)):
        z = rng.normal(size=(n, k)) * sharp
        probs = softmax(z)
        y = np.array([rng.choice(k, p=p) for p in softmax(z / 1.7)])
        ref = calibration_reference(probs, y, bins)
        cases.append({"name": f"n{n}-k{k}", "probs": probs.ravel(), "labels": y, "bins": bins, **ref})
    # Ties: probabilities on a coarse grid, so equal-mass edges repeat.
    probs = np.array([[0.5, 0.5], [0.8, 0.2], [0.8, 0.2], [0.8, 0.2], [0.3, 0.7], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]] * 5)
    y = np.array([0, 0, 1, 0, 1, 0, 0, 1] * 5)
    cases.append({"name": "coarse-ties", "probs": probs.ravel(), "labels": y, "bins": 5, **calibration_reference(probs, y, 5)})
    # A zero probability on the true class exercises log_loss clipping.
    probs = np.array([[1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [0.0, 1.0, 0.0]])
    y = np.array([1, 2, 1])
    cases.append({"name": "zero-on-true-class", "probs": probs.ravel(), "labels": y, "bins": 4, **calibration_reference(probs, y, 4)})
    return cases


def binary_brier_cases(rng):
    out = []
    for n in (1, 10, 200):
        p = rng.random(n)
        y = (rng.random(n) < p).astype(int)
        out.append({"probPositive": p, "labels": y, "brier": brier_score_loss(y, p)})
    return out


def logits_cases(rng):
    cases = []
    for n, k, scale in ((20, 3, 1.0), (500, 5, 4.0), (300, 2, 0.3), (200, 8, 30.0)):
        z = rng.normal(size=(n, k))
        y = np.array([rng.choice(k, p=p) for p in softmax(z)])
        logits = z * scale
        zt = torch.tensor(logits, dtype=torch.float64)
        yt = torch.tensor(y)
        nll = float(torch.nn.functional.cross_entropy(zt, yt))
        nll_t2 = float(torch.nn.functional.cross_entropy(zt / 2.0, yt))

        def objective(log_t):
            return float(torch.nn.functional.cross_entropy(zt / math.exp(log_t), yt))

        fit = scipy.optimize.minimize_scalar(objective, bounds=(math.log(1e-2), math.log(1e2)), method="bounded", options={"xatol": 1e-12})
        cases.append(
            {
                "name": f"n{n}-k{k}-x{scale}",
                "logits": logits.ravel(),
                "labels": y,
                "nll": nll,
                "nllAtT2": nll_t2,
                "temperature": math.exp(fit.x),
                "nllAtOptimum": float(fit.fun),
                "softmaxT2": softmax(logits / 2.0).ravel() if n <= 20 else None,
            }
        )
    return cases


# ---------------------------------------------------------------- measures
def measures_cases(rng):
    cases = []
    for s, n, k in ((1, 4, 3), (5, 6, 4), (30, 10, 10), (8, 5, 2)):
        z = rng.normal(size=(s, n, k)) * 2
        p = np.exp(z) / np.exp(z).sum(axis=2, keepdims=True)
        if s == 8:
            p[:, 0, :] = np.array([1.0, 0.0])
            p[:, 1, :] = p[0, 1, :]
        mean = p.mean(axis=0)
        pred_h = scipy.stats.entropy(mean, axis=1)
        exp_h = np.mean(scipy.stats.entropy(p, axis=2), axis=0)
        cases.append(
            {
                "shape": {"samples": s, "items": n, "classes": k},
                "samples": p.ravel(),
                "mean": mean.ravel(),
                "variance": p.var(axis=0).ravel(),
                "varianceDdof1": p.var(axis=0, ddof=1).ravel() if s > 1 else None,
                "predictiveEntropy": pred_h,
                "expectedEntropy": exp_h,
                "mutualInformation": np.maximum(pred_h - exp_h, 0.0),
            }
        )
    return cases


# ---------------------------------------------------------------- conformal and selective prediction
def conformal_cases(rng):
    quantiles = []
    for n, alpha in ((10, 0.1), (19, 0.05), (100, 0.1), (499, 0.18), (250, 0.2), (5, 0.1), (1000, 0.01)):
        s = rng.random(n)
        s[: n // 5] = np.round(s[: n // 5], 1)
        k = math.ceil((n + 1) * (1 - alpha) - 1e-9 * (n + 1) * (1 - alpha))
        if k > n:
            q = "inf"
        else:
            q = float(np.quantile(s, k / n, method="inverted_cdf"))
            assert q == np.sort(s)[k - 1]
        quantiles.append({"scores": s, "alpha": alpha, "quantile": q})
    aps = []
    for n, k in ((6, 3), (30, 5)):
        probs = softmax(rng.normal(size=(n, k)) * 2)
        probs[0] = np.round(probs[0], 1)
        probs[0] /= probs[0].sum()
        y = rng.integers(0, k, n)
        scores = []
        for i in range(n):
            order = sorted(range(k), key=lambda c: (-probs[i, c], c))
            # Non-randomised APS: the mass of the labels ranked strictly above y.
            above = np.concatenate(([0.0], np.cumsum(probs[i, order])))
            scores.append(above[order.index(y[i])])
        aps.append({"probs": probs.ravel(), "labels": y, "apsScores": scores, "lacScores": 1 - probs[np.arange(n), y]})
    aurc_cases = []
    for n, ties in ((20, False), (200, True), (1, False)):
        conf = rng.random(n)
        if ties:
            conf = np.round(conf, 1)
        correct = (rng.random(n) < conf).astype(int)
        # Expected AURC over random orderings within tied groups.
        order = np.argsort(-conf, kind="mergesort")
        c_sorted = conf[order]
        w_sorted = 1 - correct[order]
        total = 0.0
        before = 0
        errs_before = 0.0
        i = 0
        while i < n:
            j = i
            while j < n and c_sorted[j] == c_sorted[i]:
                j += 1
            size = j - i
            rate = w_sorted[i:j].sum() / size
            for m in range(1, size + 1):
                total += (errs_before + m * rate) / (before + m)
            before += size
            errs_before += w_sorted[i:j].sum()
            i = j
        case = {"confidence": conf, "correct": correct, "aurc": total / n}
        if not ties:
            risks = np.cumsum(w_sorted) / np.arange(1, n + 1)
            case["aurcNoTies"] = float(np.mean(risks))
        aurc_cases.append(case)
    return {"quantiles": quantiles, "aps": aps, "aurc": aurc_cases}


def main():
    rng = np.random.default_rng(20240501)
    goldens = {
        "generator": "scripts/goldens/metrics_goldens.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "torch": torch.__version__},
        "classification": classification_cases(rng),
        "ranking": ranking_cases(rng),
        "segmentation": segmentation_cases(rng),
        "pro": pro_cases(rng),
        "calibration": calibration_cases(rng),
        "binaryBrier": binary_brier_cases(rng),
        "logits": logits_cases(rng),
        "measures": measures_cases(rng),
        "conformal": conformal_cases(rng),
        "cocoThresholds": {
            "iou": np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True),
            "recall": np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True),
        },
    }
    import sklearn

    goldens["versions"]["sklearn"] = sklearn.__version__
    text = json.dumps(clean(goldens), allow_nan=False, separators=(",", ":"))
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {OUT} ({len(text) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
