"""The stored form of a trained router: what predicting needs, as numpy arrays, without scikit-learn.

A ``Router`` (``intake.routing``) learns with scikit-learn; the task worker only predicts, and importing
scikit-learn and scipy cost it 85 MB of its 250 (issue 9). ``Predictor.from_router`` keeps the
vocabularies, idf weights, the linear SVM's coefficients and the softmax temperature; ``predict_top``
computes the same TF-IDF features (``intake.text``) and margins in plain numpy. The stored bytes are an
``.npz`` archive (no pickle: loading them runs no code).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import numpy as np

from .text import char_ngram_hits, split, tfidf, word_lists

FORMAT = "jiceng-router-1"
CHUNK_DOCS = 64  # documents scored at a time: their features x classes stay a few MB


class Predictor:
    def __init__(self, meta: dict, arrays: dict[str, np.ndarray]):
        self.meta, self.arrays = meta, arrays
        self.labels_ = list(meta["labels"])
        self._words = None  # word -> column of the words block, built on first use

    # ---- from a trained router, to and from bytes -------------------------------------------------
    @classmethod
    def from_router(cls, router) -> Predictor:
        """The predicting part of a trained ``Router`` (a linear SVM over character n-grams of at most three
        characters and single words); ValueError for another kind of model."""
        from .routing import CharNgramTfidf

        if router.classifier != "svm" or tuple(router.word_ngrams) != (1, 1):
            raise ValueError("only a linear SVM over single words has a compact form")
        meta = {"format": FORMAT, "labels": list(router.labels_), "temperature": float(router.temperature_),
                "text_chars": router.text_chars, "word_chars": router.word_chars, "hmm": bool(router.hmm),
                "strip_boilerplate": bool(router.strip_boilerplate), "title_weight": float(router.title_weight),
                "ngram_range": list(router.char_ngrams), "blocks": []}
        arrays = {"coef": np.asarray(router.model_.coef_, dtype=np.float32),
                  "intercept": np.asarray(router.model_.intercept_, dtype=np.float64)}
        for name, vectorizer in router.vectorizers_.items():
            if name in ("text", "title"):
                if not isinstance(vectorizer, CharNgramTfidf):
                    raise ValueError("only character n-grams of at most three characters have a compact form")
                arrays[f"{name}_keys"], arrays[f"{name}_columns"] = vectorizer.keys_, vectorizer.columns_
                size = len(vectorizer.vocabulary_)
            else:
                terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
                arrays[f"{name}_terms"] = np.array(terms, dtype=str) if terms else np.zeros(0, dtype="<U1")
                size = len(terms)
            arrays[f"{name}_idf"] = np.asarray(vectorizer.idf_, dtype=np.float32)
            meta["blocks"].append({"name": name, "size": size})
        return cls(meta, arrays)

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(buffer, meta=np.array(json.dumps(self.meta)), **self.arrays)
        return buffer.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> Predictor:
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != FORMAT:
            raise TypeError("not a stored router")
        return cls(meta, arrays)

    @staticmethod
    def is_stored_form(blob: bytes) -> bool:
        return bytes(blob[:4]) == b"PK\x03\x04"  # a zip archive (.npz), not a joblib pickle

    # ---- predicting ------------------------------------------------------------------------------
    def _hits(self, name: str, docs) -> tuple[np.ndarray, np.ndarray]:
        if name in ("text", "title"):
            return char_ngram_hits(docs, self.arrays[f"{name}_keys"], self.arrays[f"{name}_columns"],
                                   self.meta["ngram_range"])
        if self._words is None:
            self._words = {str(term): i for i, term in enumerate(self.arrays[f"{name}_terms"].tolist())}
        rows, columns = [], []
        for row, tokens in enumerate(docs):
            for token in tokens:
                column = self._words.get(token)
                if column is not None:
                    rows.append(row)
                    columns.append(column)
        return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)

    def _features(self, texts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of the documents' features, the blocks side by side as the router has them."""
        meta = self.meta
        titles, bodies = split(texts, meta["text_chars"], meta["strip_boilerplate"])
        docs = {"text": bodies, "title": titles}
        if any(block["name"] == "words" for block in meta["blocks"]):
            docs["words"] = word_lists([f"{t} {b[: meta['word_chars']]}" for t, b in zip(titles, bodies, strict=True)],
                                       meta["hmm"])
        parts, offset = [], 0
        for block in meta["blocks"]:
            name = block["name"]
            rows, columns = self._hits(name, docs[name])
            rows, columns, values = tfidf(rows, columns, self.arrays[f"{name}_idf"], len(texts))
            if name == "title":
                values = values * np.float32(meta["title_weight"])
            parts.append((rows, columns + offset, values))
            offset += block["size"]
        return tuple(np.concatenate(part) for part in zip(*parts, strict=True))

    def _scores(self, texts) -> np.ndarray:
        """The SVM's margins per class (one margin, for the second class, when there are two)."""
        rows, columns, values = self._features(texts)
        coef, intercept = self.arrays["coef"], self.arrays["intercept"]
        scores = np.zeros((len(texts), coef.shape[0]), dtype=np.float64)
        order = np.argsort(rows, kind="stable")
        rows, columns, values = rows[order], columns[order], values[order]
        bounds = np.searchsorted(rows, np.arange(0, len(texts) + CHUNK_DOCS, CHUNK_DOCS))
        for first, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
            if lo == hi:
                continue
            weighted = coef[:, columns[lo:hi]].T.astype(np.float64) * values[lo:hi, None]
            chunk = rows[lo:hi] - first * CHUNK_DOCS
            np.add.at(scores[first * CHUNK_DOCS:(first + 1) * CHUNK_DOCS], chunk, weighted)
        scores += intercept
        if scores.shape[1] == 1:
            scores = np.column_stack([-scores[:, 0], scores[:, 0]])
        return scores

    def predict_proba(self, texts: Sequence) -> np.ndarray:
        z = self._scores(texts) / self.meta["temperature"]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence) -> list[str]:
        return [self.labels_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def predict_top(self, texts: Sequence, k: int = 3) -> list[list[tuple[str, float]]]:
        p = self.predict_proba(texts)
        top = np.argsort(-p, axis=1)[:, :k]
        return [[(self.labels_[j], float(row[j])) for j in order] for row, order in zip(p, top, strict=True)]


def load(blob: bytes):
    """A stored router ready to predict: the compact form, or (a version stored before it existed) the
    whole ``Router``, which imports scikit-learn."""
    if Predictor.is_stored_form(blob):
        return Predictor.loads(blob)
    from .routing import Router

    return Router.loads(blob)
