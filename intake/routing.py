"""The routing model: suggest a class (category or department) from a report's title and text.

A classic, fast and explainable model: TF-IDF over jieba words, over character n-grams of the text
and over character n-grams of the title (so the title weighs more than its share of the characters),
feeding a linear classifier. Measured on the dev set of real citizen messages (see bench/routing.py and
the "Routing (issue 8)" section of bench/RESULTS.md). jieba cuts the words, but over the few dictionary
words found in the texts at hand (``JiebaDictionary``): its full dictionary is never loaded (issue 9).

This module needs no Django: bench scripts and the ``routing_eval`` command use it directly.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import joblib
import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from .text import char_ngram_hits, jieba_dictionary, ngram_key, normalize, split, tfidf, word_lists, words

__all__ = ["CharNgramTfidf", "Router", "jieba_dictionary", "normalize", "word_lists", "words"]


class CharNgramTfidf:
    """TF-IDF over character n-grams (n ≤ 3), as sklearn's ``TfidfVectorizer(analyzer="char",
    sublinear_tf=True)`` computes it, but transforming a whole batch in numpy: each n-gram becomes a
    63-bit key (its code points side by side) found by binary search in the sorted vocabulary keys.
    Several times faster than sklearn's pure-Python analyzer; the vocabulary and idf are sklearn's,
    so the features keep their names (``get_feature_names_out``) and the model stays explainable.
    Documents are expected normalised (runs of white space already squeezed, as ``normalize`` does)."""

    def __init__(self, ngram_range=(1, 3), min_df=2, max_df=0.9):
        if not 1 <= ngram_range[0] <= ngram_range[1] <= 3:
            raise ValueError("character n-grams of 1 to 3 characters only")
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_df = max_df

    def fit(self, docs):
        docs = [doc.replace("\0", " ") for doc in docs]
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True,
                                     min_df=self.min_df, max_df=self.max_df, lowercase=False)
        try:
            vectorizer.fit(docs)
        except ValueError:  # too few documents for min_df/max_df: keep every n-gram
            try:
                vectorizer.set_params(min_df=1, max_df=1.0).fit(docs)
            except ValueError:  # no text at all (no titles given, say)
                vectorizer = None
        self.vocabulary_ = vectorizer.vocabulary_ if vectorizer else {}
        self.idf_ = vectorizer.idf_.astype(np.float32) if vectorizer else np.zeros(0, dtype=np.float32)
        keys = np.array([ngram_key(term) for term in self.vocabulary_], dtype=np.uint64)
        columns = np.array(list(self.vocabulary_.values()), dtype=np.int64)
        order = np.argsort(keys)
        self.keys_, self.columns_ = keys[order], columns[order]
        return self

    def fit_transform(self, docs):
        return self.fit(docs).transform(docs)

    def get_feature_names_out(self):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return names

    def transform(self, docs):
        rows, columns = char_ngram_hits(docs, self.keys_, self.columns_, self.ngram_range)
        rows, columns, values = tfidf(rows, columns, self.idf_, len(docs))
        return sparse.csr_matrix((values, (rows, columns)), shape=(len(docs), len(self.vocabulary_)),
                                 dtype=np.float32)


class _Identity:
    """An analyzer for pre-tokenised documents (a module-level class, so the model pickles)."""

    def __call__(self, tokens):
        return tokens


CLASSIFIERS = ("svm", "svm-calibrated", "logreg", "sgd", "cnb")


def make_classifier(name: str, c: float = 1.0):
    if name == "svm":
        return LinearSVC(C=c, class_weight="balanced")
    if name == "svm-calibrated":
        return CalibratedClassifierCV(LinearSVC(C=c, class_weight="balanced"), method="sigmoid", cv=3)
    if name == "logreg":
        return LogisticRegression(C=c * 20, class_weight="balanced", solver="saga", max_iter=300, tol=1e-3)
    if name == "sgd":
        return SGDClassifier(loss="modified_huber", alpha=1e-4 / c, class_weight="balanced", max_iter=50,
                             tol=None, random_state=0)
    if name == "cnb":
        return ComplementNB(alpha=0.3 / c)
    raise ValueError(f"unknown classifier {name!r}")


class Router:
    """Learn classes from (title, text) pairs; suggest the top classes with a probability.

    ``texts`` are pairs (title, text) or plain strings (taken as text without a title).
    Probabilities: the linear SVM's margins through a softmax whose temperature is fitted on the
    training data's cross-validated margins, so a threshold means roughly what it says.
    """

    def __init__(self, classifier: str = "svm", c: float = 1.0, word_chars: int = 50, text_chars: int = 300,
                 char_ngrams: tuple[int, int] = (1, 3), title_weight: float = 1.0, hmm: bool = False,
                 word_ngrams: tuple[int, int] = (1, 1), strip_boilerplate: bool = False, use_words: bool = True):
        self.classifier = classifier
        self.c = c
        self.word_chars = word_chars
        self.text_chars = text_chars
        self.char_ngrams = tuple(char_ngrams)
        self.title_weight = title_weight
        self.hmm = hmm
        self.word_ngrams = tuple(word_ngrams)
        self.strip_boilerplate = strip_boilerplate
        self.use_words = use_words
        self.labels_: list[str] = []
        self.temperature_ = 1.0

    # ---- features ------------------------------------------------------------------------------
    def _split(self, texts) -> tuple[list[str], list[str]]:
        return split(texts, self.text_chars, self.strip_boilerplate)

    def _word_docs(self, titles, bodies):
        return word_lists([f"{t} {b[: self.word_chars]}" for t, b in zip(titles, bodies, strict=True)], self.hmm)

    def _vectorizers(self):
        if self.char_ngrams[1] <= 3:
            vectorizers = {"text": CharNgramTfidf(self.char_ngrams), "title": CharNgramTfidf(self.char_ngrams)}
        else:  # longer n-grams do not fit a 64-bit key: sklearn's (slower) analyzer
            char = {"analyzer": "char", "ngram_range": self.char_ngrams, "sublinear_tf": True, "min_df": 2,
                    "max_df": 0.9, "dtype": np.float32}
            vectorizers = {"text": TfidfVectorizer(**char), "title": TfidfVectorizer(**char)}
        if self.use_words:
            vectorizers["words"] = TfidfVectorizer(analyzer=_Identity(), sublinear_tf=True, min_df=1,
                                                   dtype=np.float32) if self.word_ngrams == (1, 1) else \
                TfidfVectorizer(tokenizer=_Identity(), preprocessor=_Identity(), token_pattern=None,
                                lowercase=False, ngram_range=self.word_ngrams, sublinear_tf=True, min_df=1,
                                dtype=np.float32)
        return vectorizers

    def _features(self, texts, fit: bool = False):
        titles, bodies = self._split(texts)
        docs = {"text": bodies, "title": titles}
        if self.use_words:
            docs["words"] = self._word_docs(titles, bodies)
        if fit:
            self.vectorizers_ = self._vectorizers()
        blocks = []
        for name, vectorizer in self.vectorizers_.items():
            x = vectorizer.fit_transform(docs[name]) if fit else vectorizer.transform(docs[name])
            blocks.append(x * self.title_weight if name == "title" else x)
        return sparse.hstack(blocks, format="csr")

    # ---- learning ------------------------------------------------------------------------------
    def fit(self, texts: Sequence, labels: Sequence[str], calibrate: bool = True) -> Router:
        """Learn from texts and their labels; ``calibrate=False`` skips fitting the probabilities' temperature
        (five more fits), for a model only asked for its best label (cross-validation)."""
        x = self._features(texts, fit=True)
        y = np.asarray(labels)
        self.model_ = make_classifier(self.classifier, self.c).fit(x, y)
        self.labels_ = [str(label) for label in self.model_.classes_]
        self.temperature_ = self._fit_temperature(x, y) if calibrate else 1.0
        return self

    def _scores(self, x):
        """Per-class scores: the SVM's margins, else log-probabilities."""
        if self.classifier == "svm":
            scores = self.model_.decision_function(x)
            if scores.ndim == 1:  # two classes: one margin, for the second class
                scores = np.column_stack([-scores, scores])
            return scores
        return np.log(self.model_.predict_proba(x) + 1e-12)

    def _fit_temperature(self, x, y) -> float:
        """Softmax temperature minimising the log-loss of cross-validated scores (margins are not probabilities)."""
        if self.classifier != "svm" or len(self.labels_) < 2:
            return 1.0
        from sklearn.model_selection import StratifiedKFold

        counts = np.unique(y, return_counts=True)[1]
        folds = int(min(5, counts.min()))
        if folds < 2:
            return 1.0
        scores = np.zeros((len(y), len(self.labels_)), dtype=np.float64)
        index = {label: i for i, label in enumerate(self.labels_)}
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
            model = make_classifier(self.classifier, self.c).fit(x[train], y[train])
            part = model.decision_function(x[test])
            if part.ndim == 1:
                part = np.column_stack([-part, part])
            columns = [index[str(label)] for label in model.classes_]
            scores[np.ix_(test, columns)] = part
        truth = np.array([index[str(label)] for label in y])
        best, best_loss = 1.0, np.inf
        for t in np.geomspace(0.05, 5, 40):
            z = scores / t
            z -= z.max(axis=1, keepdims=True)
            loss = -(z[np.arange(len(y)), truth] - np.log(np.exp(z).sum(axis=1))).mean()
            if loss < best_loss:
                best, best_loss = float(t), loss
        return best

    def predict_proba(self, texts: Sequence) -> np.ndarray:
        z = self._scores(self._features(texts))
        if self.classifier == "svm":
            z = z / self.temperature_
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence) -> list[str]:
        p = self.predict_proba(texts)
        return [self.labels_[i] for i in p.argmax(axis=1)]

    def predict_top(self, texts: Sequence, k: int = 3) -> list[list[tuple[str, float]]]:
        p = self.predict_proba(texts)
        top = np.argsort(-p, axis=1)[:, :k]
        return [[(self.labels_[j], float(row[j])) for j in order] for row, order in zip(p, top, strict=True)]

    # ---- storage -------------------------------------------------------------------------------
    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    save = dumps

    @staticmethod
    def loads(blob: bytes) -> Router:
        router = joblib.load(io.BytesIO(bytes(blob)))
        if not isinstance(router, Router):
            raise TypeError("not a routing model")
        return router

    load = loads
