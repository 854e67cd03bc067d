import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from intake.routing import CharNgramTfidf, Router, jieba_dictionary, normalize, word_lists, words

from .synthetic import make_rows

ROWS = make_rows(per_class=30)
TRAIN, TEST = ROWS[:130], ROWS[130:]


def texts(rows):
    return [(title, text) for title, text, _label in rows]


def labels(rows):
    return [label for _title, _text, label in rows]


@pytest.fixture(scope="module")
def router():
    return Router().fit(texts(TRAIN), labels(TRAIN))


def test_normalize_folds_full_width_and_spaces():
    assert normalize("ＡＢＣ１２３，  你好\n\t世界") == "abc123, 你好 世界"


@pytest.mark.parametrize("ngrams", [(1, 3), (2, 3), (1, 1)])
def test_char_ngrams_match_sklearn(ngrams):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [normalize(f"{title} {text}") for title, text, _label in ROWS[:60]] + ["", "x", "新词𠀀 ab"]
    reference = TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True, min_df=2, max_df=0.9,
                                lowercase=False).fit(docs[:50])
    fast = CharNgramTfidf(ngrams).fit(docs[:50])
    assert fast.vocabulary_ == reference.vocabulary_
    assert list(fast.get_feature_names_out()) == list(reference.get_feature_names_out())
    assert np.abs(fast.transform(docs) - reference.transform(docs)).max() < 1e-6
    assert CharNgramTfidf(ngrams).fit(["", ""]).transform(["abc"]).shape == (1, 0)  # nothing to learn from


def test_words_are_cut_as_jieba_cuts_them_with_its_full_dictionary():
    import jieba

    docs = [normalize(f"{title} {text}") for title, text, _label in ROWS[:40]] + [
        "", "abc 123", "南京市长江大桥", "小区电梯经常故障，物业公司乱收物业费！", "B超检查 b超检查", "新词𠀀测试"]
    full = jieba.Tokenizer()  # jieba's own tokenizer over its whole dictionary, for reference
    for hmm in (False, True):
        expected = [[w for w in full.lcut(doc, HMM=hmm) if w.strip() and not (len(w) == 1 and not w.isalnum())]
                    for doc in docs]
        assert word_lists(docs, hmm) == expected
        assert [words(doc, hmm) for doc in docs] == expected  # one at a time too


def test_the_compact_dictionary_finds_words_with_their_frequencies():
    import jieba

    found = jieba_dictionary().found_in(["物业公司乱收费", "长江大桥"])
    full = jieba.Tokenizer()
    full.check_initialized()
    assert {"物业", "物业公司", "公司", "乱收费", "长江", "长江大桥", "大桥"} <= set(found)
    assert all(found[word] == full.FREQ[word] > 0 for word in found)
    assert jieba_dictionary().total == full.total


def test_predicting_never_loads_jiebas_full_dictionary(tmp_path, router):
    import json
    import subprocess
    import sys
    from pathlib import Path

    model = tmp_path / "router.joblib"
    model.write_bytes(router.dumps())
    script = ("import jieba, json, sys\nfrom intake.routing import Router\n"
              f"router = Router.loads(open({str(model)!r}, 'rb').read())\n"
              "print(json.dumps([router.predict(json.loads(sys.stdin.read())), jieba.dt.initialized]))")
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts(TEST)), capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert json.loads(out) == [router.predict(texts(TEST)), False]


def test_the_router_beats_the_majority_class_by_far(router):
    truth = labels(TEST)
    majority = Counter(labels(TRAIN)).most_common(1)[0][0]
    baseline = sum(label == majority for label in truth) / len(truth)
    accuracy = sum(p == t for p, t in zip(router.predict(texts(TEST)), truth, strict=True)) / len(truth)
    assert baseline < 0.3
    assert accuracy >= 0.9


def test_top_three_hold_the_right_label_with_probabilities(router):
    tops = router.predict_top(texts(TEST), k=3)
    assert all(len(top) == 3 for top in tops)
    for top in tops:
        probabilities = [p for _label, p in top]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001
    hits = sum(label in {lbl for lbl, _p in top} for top, label in zip(tops, labels(TEST), strict=True))
    assert hits / len(TEST) >= 0.97


def test_plain_strings_are_taken_as_text(router):
    assert router.predict_top(["幼儿园乱收补课费，请教育局处理"], k=1)[0][0][0] == "教育"


def test_save_and_load_give_identical_predictions(router):
    again = Router.loads(router.dumps())
    assert again.labels_ == router.labels_
    assert again.predict_top(texts(TEST)) == router.predict_top(texts(TEST))


def test_the_stored_form_predicts_what_the_router_predicts(router):
    from intake.predictor import Predictor, load

    stored = Predictor.from_router(router).dumps()
    assert Predictor.is_stored_form(stored) and not Predictor.is_stored_form(router.dumps())
    predictor = load(stored)
    assert isinstance(predictor, Predictor) and predictor.labels_ == router.labels_
    inputs = [*texts(TEST), "幼儿园乱收补课费，请教育局处理", ("", ""), ("标题", "")]
    for ours, theirs in zip(predictor.predict_top(inputs, k=5), router.predict_top(inputs, k=5), strict=True):
        assert [label for label, _p in ours] == [label for label, _p in theirs]
        assert [p for _label, p in ours] == pytest.approx([p for _label, p in theirs], abs=1e-5)
    assert isinstance(load(router.dumps()), Router)  # a version stored before the compact form still loads


def test_the_stored_form_of_two_classes():
    from intake.predictor import Predictor

    pair = {label for label, _n in Counter(labels(TRAIN)).most_common(2)}
    two = [row for row in TRAIN if row[2] in pair]
    router = Router().fit(texts(two), labels(two))
    predictor = Predictor.loads(Predictor.from_router(router).dumps())
    assert predictor.predict(texts(TEST)) == router.predict(texts(TEST))
    assert predictor.predict_proba(texts(TEST)) == pytest.approx(router.predict_proba(texts(TEST)), abs=1e-5)


def test_predicting_from_the_stored_form_imports_neither_scikit_learn_nor_scipy(tmp_path, router):
    import json
    import subprocess
    import sys
    from pathlib import Path

    from intake.predictor import Predictor

    model = tmp_path / "router.npz"
    model.write_bytes(Predictor.from_router(router).dumps())
    script = ("import json, sys\nfrom intake.predictor import load\n"
              f"router = load(open({str(model)!r}, 'rb').read())\n"
              "predicted = router.predict(json.loads(sys.stdin.read()))\n"
              "print(json.dumps([predicted, sorted(m for m in ('sklearn', 'scipy', 'joblib') if m in sys.modules)]))")
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts(TEST)), capture_output=True,
                         text=True, check=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert json.loads(out) == [router.predict(texts(TEST)), []]


def test_loads_refuses_something_else():
    import io

    import joblib

    buffer = io.BytesIO()
    joblib.dump({"not": "a router"}, buffer)
    with pytest.raises(TypeError):
        Router.loads(buffer.getvalue())


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "text", "label"])
        for i, (title, text, label) in enumerate(rows):
            writer.writerow([i, title, text, label])


def test_routing_eval_prints_the_scores_last(tmp_path):
    write_csv(tmp_path / "train.csv", TRAIN)
    write_csv(tmp_path / "test.csv", TEST)
    out = StringIO()
    call_command("routing_eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"),
                 stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "predictions per second" in out.getvalue() and "macro avg" in out.getvalue()
    import re

    match = re.fullmatch(r"accuracy=(0\.\d{4}|1\.0000) macro_f1=(0\.\d{4}|1\.0000)", lines[-1])
    assert match and float(match.group(1)) >= 0.9


def test_routing_eval_refuses_a_csv_without_labels(tmp_path):
    from django.core.management.base import CommandError

    (tmp_path / "bad.csv").write_text("id,title,text\n1,a,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="label"):
        call_command("routing_eval", "--train", str(tmp_path / "bad.csv"), "--test", str(tmp_path / "bad.csv"))


def test_plain_strings_train_too():
    router = Router().fit([f"{title}。{text}" for title, text, _label in TRAIN], labels(TRAIN))
    predicted = router.predict([f"{title}。{text}" for title, text, _label in TEST])
    assert sum(p == t for p, t in zip(predicted, labels(TEST), strict=True)) / len(TEST) >= 0.85
