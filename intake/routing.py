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
import re
import threading
import unicodedata
from collections.abc import Sequence

import joblib
import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.svm import LinearSVC

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: a polynomial hash modulo 2**64 of a string's code points


class JiebaDictionary:
    """jieba's main dictionary kept compact: sorted 64-bit keys of its ~350,000 words (with their
    frequencies) and of their ~500,000 prefixes, about 8 MB in numpy arrays, instead of jieba's prefix
    dictionary of ~580,000 Python strings (~70 MB, issue 9: a task worker must stay under 250 MB).

    ``tokenizer(texts)`` gives a ``jieba.Tokenizer`` over just the dictionary words found in ``texts``,
    scored against the whole dictionary's total frequency: jieba only ever considers the dictionary words
    that are substrings of a sentence, so it cuts ``texts`` exactly as jieba's default tokenizer would
    (a false match needs two strings with the same 64-bit hash). jieba still does all the cutting.
    The tokenizer is built in memory, per call: no cache file written, nothing shared between threads."""

    def __init__(self):
        import jieba

        with jieba.dt.get_dict_file() as f:  # lines "word frequency [tag]"
            data = f.read()
        parts, at = [], 0
        while at < len(data):  # by pieces of about 256 kB: little memory held at once (the worker counts it)
            end = data.find(b"\n", at + (1 << 18)) + 1 or len(data)
            parts.append(self._parse(data[at:end]))
            at = end
        del data
        self.max_length = max(length for _keys, _freqs, length, _prefixes in parts)
        prefixes = np.concatenate([part[3] for part in parts])
        keys, freqs = np.concatenate([part[0] for part in parts]), np.concatenate([part[1] for part in parts])
        del parts
        prefixes.sort()  # the keys of every word's first 1, 2, … characters
        self.prefixes = prefixes[np.append(True, prefixes[1:] != prefixes[:-1])]
        del prefixes
        self.total = int(freqs.sum(dtype=np.int64))
        order = np.argsort(keys, kind="stable")
        keys, freqs = keys[order], freqs[order]
        last = np.append(keys[1:] != keys[:-1], True)  # a word listed twice: its last frequency, as jieba does
        self.keys, self.freqs = keys[last], freqs[last]

    @staticmethod
    def _parse(data: bytes):
        """(keys, frequencies, longest length, keys of the prefixes) of the words on the lines of ``data``."""
        points = np.frombuffer((data.rstrip(b"\n") + b"\n").decode("utf-8").encode("utf-32-le"), dtype="<u4")
        line_ends = np.flatnonzero(points == ord("\n"))
        starts = np.concatenate([[0], line_ends[:-1] + 1])
        spaces = np.append(np.flatnonzero(points == ord(" ")), len(points))
        first = np.searchsorted(spaces, starts)
        word_ends = spaces[first]
        freq_ends = np.minimum(spaces[np.minimum(first + 1, len(spaces) - 1)], line_ends)
        digits = freq_ends - word_ends - 1
        if (word_ends >= line_ends).any() or (digits < 1).any():
            raise ValueError("unexpected line in jieba's dictionary")
        freqs = np.zeros(len(starts), dtype=np.int32)
        for d in range(int(digits.max())):
            more = d < digits
            freqs[more] = freqs[more] * 10 + points[word_ends[more] + 1 + d].astype(np.int32) - ord("0")
        lengths = word_ends - starts
        keys = np.zeros(len(starts), dtype=np.uint64)
        prefixes = []
        words = np.arange(len(starts))  # the words at least n characters long
        key = np.ones(len(starts), dtype=np.uint64)
        for n in range(1, int(lengths.max()) + 1):
            longer = lengths[words] >= n
            words, key = words[longer], key[longer] * _MULTIPLIER + points[starts[words[longer]] + n - 1]
            prefixes.append(np.unique(key))
            keys[words[lengths[words] == n]] = key[lengths[words] == n]
        return keys, freqs, int(lengths.max()), np.concatenate(prefixes)

    def found_in(self, texts: Sequence[str]) -> dict[str, int]:
        """The dictionary words that occur in ``texts``, with their frequencies."""
        joined = "\0".join(text.replace("\0", " ") for text in texts) + "\0"
        points = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        starts = np.flatnonzero(points)  # each substring grows from its start while it begins some word
        key = np.ones(len(starts), dtype=np.uint64)
        found: dict[str, int] = {}
        for n in range(1, self.max_length + 1):
            ends = starts + (n - 1)  # every text ends with a 0 that no word holds: never past the end
            inside = points[ends] != 0
            starts, key = starts[inside], key[inside] * _MULTIPLIER + points[ends[inside]]
            at = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            hits = np.flatnonzero(self.keys[at] == key)
            if len(hits):
                _unique, first = np.unique(key[hits], return_index=True)
                for start, freq in zip(starts[hits[first]].tolist(), self.freqs[at[hits[first]]].tolist(),
                                       strict=True):
                    found[joined[start : start + n]] = freq
            at = np.minimum(np.searchsorted(self.prefixes, key), len(self.prefixes) - 1)
            starts, key = starts[self.prefixes[at] == key], key[self.prefixes[at] == key]
            if not len(starts):
                break
        return found

    def tokenizer(self, texts: Sequence[str]):
        """A ``jieba.Tokenizer`` that cuts ``texts`` as jieba's default tokenizer does."""
        import jieba

        lines = "".join(f"{word} {freq}\n" for word, freq in self.found_in(texts).items()).encode("utf-8")
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, _found_total = jieba.Tokenizer.gen_pfdict(io.BytesIO(lines))
        tokenizer.total = self.total
        tokenizer.initialized = True  # so it never loads (nor caches) a dictionary file
        return tokenizer


_dictionary_lock = threading.Lock()
_dictionary: JiebaDictionary | None = None


def jieba_dictionary() -> JiebaDictionary:
    """jieba's dictionary, compact (about half a second, once per process)."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = JiebaDictionary()
    return _dictionary



_SPACES = re.compile(r"\s+")
# Greetings and sign-offs that say nothing about the subject.
_BOILERPLATE = re.compile(
    r"尊敬的[^，,：:！!。]{0,12}[，,：:！!]?|各位领导|领导(?:您|你)好|(?:您|你)好|此致|敬礼|谢谢|感谢|麻烦"
)


def normalize(text: str, strip_boilerplate: bool = False) -> str:
    """Full-width to half-width (NFKC), lower case, one space for any run of white space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if strip_boilerplate:
        text = _BOILERPLATE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def word_lists(texts: Sequence[str], hmm: bool = False) -> list[list[str]]:
    """jieba words of each normalised text (cut as jieba's default tokenizer does, without loading its full
    dictionary), white space and single punctuation marks left out."""
    tokenizer = jieba_dictionary().tokenizer(texts)
    return [[w for w in tokenizer.lcut(text, HMM=hmm) if w.strip() and not (len(w) == 1 and not w.isalnum())]
            for text in texts]


def words(text: str, hmm: bool = False) -> list[str]:
    """jieba words of a normalised text, white space and single punctuation marks left out."""
    return word_lists([text], hmm)[0]


_BITS = 21  # every Unicode code point fits in 21 bits, so three fit in one 64-bit key


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
        keys = np.array([self._key(term) for term in self.vocabulary_], dtype=np.uint64)
        columns = np.array(list(self.vocabulary_.values()), dtype=np.int64)
        order = np.argsort(keys)
        self.keys_, self.columns_ = keys[order], columns[order]
        return self

    def fit_transform(self, docs):
        return self.fit(docs).transform(docs)

    @staticmethod
    def _key(term: str) -> int:
        key = 0
        for char in term:
            key = (key << _BITS) | ord(char)
        return key

    def get_feature_names_out(self):
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, column in self.vocabulary_.items():
            names[column] = term
        return names

    def transform(self, docs):
        shape = (len(docs), len(self.vocabulary_))
        if not docs or not len(self.keys_):
            return sparse.csr_matrix(shape, dtype=np.float32)
        # Every document in one array of code points, each followed by a 0 that no n-gram may span.
        text = "\0".join(doc.replace("\0", " ") for doc in docs) + "\0"
        points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        ends = points == 0
        rows_at = np.cumsum(ends) - ends  # the document each position belongs to
        keys, rows = [], []
        low, high = self.ngram_range
        for n in range(low, high + 1):
            m = len(points) - n + 1
            key, valid = points[:m].copy(), ~ends[:m]
            for j in range(1, n):
                key = (key << np.uint64(_BITS)) | points[j : j + m]
                valid &= ~ends[j : j + m]
            keys.append(key[valid])
            rows.append(rows_at[:m][valid])
        keys, rows = np.concatenate(keys), np.concatenate(rows)
        at = np.minimum(np.searchsorted(self.keys_, keys), len(self.keys_) - 1)
        known = self.keys_[at] == keys
        x = sparse.csr_matrix((np.ones(int(known.sum()), dtype=np.float32), (rows[known], self.columns_[at[known]])),
                              shape=shape)
        x.sum_duplicates()
        np.log(x.data, out=x.data)  # sublinear tf: 1 + log(count)
        x.data += 1
        x.data *= self.idf_[x.indices]
        return l2_normalize(x, copy=False)


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
        titles, bodies = [], []
        for item in texts:
            title, body = item if isinstance(item, tuple | list) else ("", item)
            titles.append(normalize(title, self.strip_boilerplate))
            # Cut before normalising (long letters cost time, not accuracy), with room for squeezed spaces.
            bodies.append(normalize((body or "")[: self.text_chars + 100], self.strip_boilerplate)[: self.text_chars])
        return titles, bodies

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
