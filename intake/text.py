"""Text for the router, without scikit-learn: normalising, jieba words through a compact copy of its
dictionary, character n-gram keys, and the TF-IDF weighting of counted features in plain numpy. Both the
trainer (``intake.routing``) and the stored predictor (``intake.predictor``) use it; the task worker, which
only predicts, never imports scikit-learn or scipy (issue 9: under 250 MB)."""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Sequence

import numpy as np

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


def split(texts, text_chars: int, strip_boilerplate: bool) -> tuple[list[str], list[str]]:
    """Normalised titles and bodies of ``texts`` (pairs (title, text), or plain strings taken as text)."""
    titles, bodies = [], []
    for item in texts:
        title, body = item if isinstance(item, tuple | list) else ("", item)
        titles.append(normalize(title, strip_boilerplate))
        # Cut before normalising (long letters cost time, not accuracy), with room for squeezed spaces.
        bodies.append(normalize((body or "")[: text_chars + 100], strip_boilerplate)[: text_chars])
    return titles, bodies


def ngram_key(term: str) -> int:
    """A character n-gram (n ≤ 3) as one 63-bit key: its code points side by side."""
    key = 0
    for char in term:
        key = (key << _BITS) | ord(char)
    return key


def char_ngram_hits(docs: Sequence[str], keys: np.ndarray, columns: np.ndarray, ngram_range) -> tuple:
    """(rows, columns) of every occurrence in ``docs`` of an n-gram of the vocabulary, given by its sorted
    ``keys`` and their ``columns``: the whole batch at once in numpy."""
    if not docs or not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # Every document in one array of code points, each followed by a 0 that no n-gram may span.
    text = "\0".join(doc.replace("\0", " ") for doc in docs) + "\0"
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    ends = points == 0
    rows_at = np.cumsum(ends) - ends  # the document each position belongs to
    found, rows = [], []
    low, high = ngram_range
    for n in range(low, high + 1):
        m = len(points) - n + 1
        key, valid = points[:m].copy(), ~ends[:m]
        for j in range(1, n):
            key = (key << np.uint64(_BITS)) | points[j : j + m]
            valid &= ~ends[j : j + m]
        found.append(key[valid])
        rows.append(rows_at[:m][valid])
    found, rows = np.concatenate(found), np.concatenate(rows)
    at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
    known = keys[at] == found
    return rows[known], columns[at[known]]


def tfidf(rows: np.ndarray, columns: np.ndarray, idf: np.ndarray, n_docs: int) -> tuple:
    """Sublinear TF-IDF, each document's vector of unit length (as scikit-learn's ``TfidfVectorizer(
    sublinear_tf=True)``): the (rows, columns, values) of the counted hits, sorted by row then column."""
    n_features = max(len(idf), 1)
    cell, counts = np.unique(rows.astype(np.int64) * n_features + columns, return_counts=True)
    rows, columns = cell // n_features, cell % n_features
    values = (1 + np.log(counts.astype(np.float32))) * idf[columns]
    norms = np.sqrt(np.bincount(rows, weights=values.astype(np.float64) ** 2, minlength=n_docs))
    values = values / norms[rows].astype(np.float32)
    return rows, columns, values
