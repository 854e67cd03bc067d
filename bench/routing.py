"""Routing suggestions (issue 8): accuracy, macro-F1 and speed of intake.routing.Router on a labelled CSV.

    .venv/bin/python bench/routing.py [CSV]              # default /work/shared/data/complaints-dev.csv
    .venv/bin/python bench/routing.py [CSV] --compare    # also every classifier and feature variant tried

The CSV has the columns id,title,text,label (UTF-8). Two protocols on the same data: a stratified
80/20 split with a fixed seed, and 5-fold stratified cross-validation (mean over the folds). Each
row compares the router with the baseline (character n-gram TF-IDF + LinearSVC) on the same splits.
Speed is measured on one core: a batch of all held-out texts, and one text at a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from intake.routing import Router, jieba_dictionary  # noqa: E402

DEFAULT_CSV = "/work/shared/data/complaints-dev.csv"
SEED = 42


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("label") or "").strip()]
    return [(r.get("title") or "", r.get("text") or "") for r in rows], [r["label"].strip() for r in rows]


class Baseline:
    """The classic baseline: character 1-3-gram TF-IDF (sublinear) over title and text + LinearSVC."""

    def fit(self, texts, labels, **_options):
        self.model = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                                   LinearSVC())
        self.model.fit([f"{t} {b}" for t, b in texts], labels)
        return self

    def predict(self, texts):
        return list(self.model.predict([f"{t} {b}" for t, b in texts]))


def score(make, x, y, train, test):
    model = make()
    options = {"calibrate": False} if isinstance(model, Router) else {}  # probabilities are not scored here
    model.fit([x[i] for i in train], [y[i] for i in train], **options)
    predicted = model.predict([x[i] for i in test])
    truth = [y[i] for i in test]
    return accuracy_score(truth, predicted), f1_score(truth, predicted, average="macro"), model


def evaluate(make, x, y):
    """(held-out accuracy, held-out macro-F1, CV accuracy, CV macro-F1, model of the held-out split, test index)."""
    index = np.arange(len(y))
    train, test = train_test_split(index, test_size=0.2, stratify=y, random_state=SEED)
    acc, f1, model = score(make, x, y, train, test)
    folds = [score(make, x, y, tr, te)[:2] for tr, te in
             StratifiedKFold(5, shuffle=True, random_state=SEED).split(index, y)]
    return acc, f1, float(np.mean([a for a, _ in folds])), float(np.mean([f for _, f in folds])), model, test


def speed(model, texts):
    """(predictions per second in one batch, milliseconds per single prediction); best of three runs."""
    batch_texts = (texts * (1 + 1000 // len(texts)))[:1000]
    model.predict(batch_texts)  # warm up (the first calls allocate)
    batch = 0.0
    for _ in range(3):
        start = time.perf_counter()
        model.predict(batch_texts)
        batch = max(batch, len(batch_texts) / (time.perf_counter() - start))
    start = time.perf_counter()
    for text in texts[:100]:
        model.predict([text])
    single = (time.perf_counter() - start) / min(100, len(texts)) * 1000
    return batch, single


VARIANTS = {
    # name: Router options (the first one is the chosen configuration)
    "router svm (chosen)": {},
    "  svm, no title vectorizer": {"title_weight": 0.0},
    "  svm, title weight 1.5": {"title_weight": 1.5},
    "  svm, no jieba words": {"use_words": False},
    "  svm, jieba HMM on": {"hmm": True},
    "  svm, word 1-2 grams": {"word_ngrams": (1, 2)},
    "  svm, char 2-4 grams": {"char_ngrams": (2, 4)},
    "  svm, boilerplate stripped": {"strip_boilerplate": True},
    "  svm, words over title + 100 chars": {"word_chars": 100},
    "  svm, words over title only": {"word_chars": 0},
    "  svm, full text (no truncation)": {"word_chars": 100000, "text_chars": 100000},
    "  svm, C=0.5": {"c": 0.5},
    "  svm, C=2": {"c": 2.0},
    "router svm + CalibratedClassifierCV": {"classifier": "svm-calibrated"},
    "router logreg (saga)": {"classifier": "logreg"},
    "router sgd (modified huber)": {"classifier": "sgd"},
    "router complement NB": {"classifier": "cnb"},
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv", nargs="?", default=DEFAULT_CSV)
    parser.add_argument("--compare", action="store_true", help="also every variant tried")
    args = parser.parse_args()
    x, y = read_rows(args.csv)
    jieba_dictionary()
    print(f"{args.csv}: {len(y)} rows, {len(set(y))} classes; 80/20 split seed {SEED}; 5-fold stratified CV")
    print(f"{'model':36} {'held-out acc':>12} {'macro-F1':>9} {'CV acc':>7} {'CV F1':>7} {'pred/s':>7} {'ms/one':>7}")
    runs = [("baseline char 1-3 + LinearSVC", Baseline)]
    variants = VARIANTS if args.compare else dict(list(VARIANTS.items())[:1])
    runs += [(name, lambda options=options: Router(**options)) for name, options in variants.items()]
    for name, make in runs:
        acc, f1, cv_acc, cv_f1, model, test = evaluate(make, x, y)
        batch, single = speed(model, [x[i] for i in test])
        print(f"{name:36} {acc:12.4f} {f1:9.4f} {cv_acc:7.4f} {cv_f1:7.4f} {batch:7.0f} {single:7.2f}", flush=True)


if __name__ == "__main__":
    main()
