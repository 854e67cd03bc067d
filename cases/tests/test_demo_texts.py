"""The demo's case texts (``cases/demo_texts.py``): varied, deterministic, and learnable by the router.

No database: the classes are read from the demo's category tree (``core.demo``).
"""

from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from cases.demo import CATEGORY_WEIGHTS, SCRIPTED
from cases.demo_texts import TOPICS, VOICES, compose
from core.demo import COMPONENT_CATEGORIES, EVENT_CATEGORIES
from intake.routing import Router

# Minor class code -> (major class code, name), as in the demo's tree.
TREE = {code: (major, name) for major, _name, _key, minors in [*EVENT_CATEGORIES, *COMPONENT_CATEGORIES]
        for code, name, _key in minors}
DEMO_CODES = sorted(set(CATEGORY_WEIGHTS) | {code for _who, code, _script in SCRIPTED})
ADDRESSES = ["东四北大街12号附近", "府学胡同3号院内", "王府井大街与金宝街交叉口", "东四十条公交站旁",
             "香饵胡同5号楼2单元门口", "南锣鼓巷48号门前", "国子监街7号"]


def generate(codes, per_class, seed):
    """(title, text, minor code) rows, ``per_class`` of each code, addresses and voices drawn."""
    rng = np.random.default_rng(seed)
    rows = []
    for code in [code for code in codes for _ in range(per_class)]:
        title, text = compose(code, rng, ADDRESSES[int(rng.integers(len(ADDRESSES)))], TREE[code][1])
        rows.append((title, text, code))
    return rows


def held_out(rows, label_of, seed=0):
    """Accuracy, macro-F1 and the majority-class baseline of the router on a stratified 25 % split."""
    labels = [label_of(code) for *_text, code in rows]
    train, test = train_test_split(range(len(rows)), test_size=0.25, stratify=labels, random_state=seed)
    router = Router().fit([rows[i][:2] for i in train], [labels[i] for i in train])
    truth = [labels[i] for i in test]
    predicted = router.predict([rows[i][:2] for i in test])
    majority = Counter(labels[i] for i in train).most_common(1)[0][0]
    accuracy = float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)]))
    baseline = float(np.mean([t == majority for t in truth]))
    return accuracy, float(f1_score(truth, predicted, average="macro")), baseline


def test_every_class_the_demo_draws_has_pieces_of_its_own():
    assert set(DEMO_CODES) <= set(TOPICS)
    assert set(TOPICS) <= set(TREE)


def test_the_same_seed_gives_the_same_texts_and_another_seed_others():
    first = generate(DEMO_CODES, 5, seed=11)
    assert generate(DEMO_CODES, 5, seed=11) == first
    assert generate(DEMO_CODES, 5, seed=12) != first


@pytest.mark.parametrize("code", DEMO_CODES)
def test_a_class_gives_varied_texts_of_a_sensible_length(code):
    rng = np.random.default_rng(5)
    texts = [compose(code, rng, "东四北大街12号附近", TREE[code][1]) for _ in range(200)]  # one address
    titles, descriptions = {t for t, _d in texts}, {d for _t, d in texts}
    assert len(descriptions) >= 150 and len(titles) >= 20, (len(descriptions), len(titles))
    assert all(30 <= len(d) <= 200 for d in descriptions)
    assert all(2 <= len(t) <= 24 for t in titles)
    assert "{" not in "".join(descriptions) + "".join(titles)  # every slot filled


def test_each_voice_sounds_like_its_reporter():
    rng = np.random.default_rng(3)
    openings = {voice: [compose("0102", rng, "府学胡同3号院内", "暴露垃圾", voice)[1] for _ in range(60)]
                for voice in VOICES}
    assert sum(text.startswith(("巡查", "网格员", "日常巡查", "今日巡查")) for text in openings["patrol"]) == 60
    assert all("来电" in text or "诉求" in text for text in openings["hotline"])
    assert not any("来电" in text for text in openings["resident"] + openings["patrol"])


@pytest.mark.parametrize(("word", "codes"), [("噪音", ["0301", "0602"]), ("井盖", ["B0101", "B0102", "B0104"]),
                                             ("占道", ["0501", "0502", "0503"]), ("乱停", ["0504", "0505"]),
                                             ("广告", ["0201", "0205"]), ("垃圾", ["0102", "0103"])])
def test_neighbouring_classes_share_their_words(word, codes):
    rows = generate(codes, 100, seed=6)
    for code in codes:
        assert sum(word in title + text for title, text, c in rows if c == code) >= 20, code


def test_an_unknown_class_falls_back_on_its_name():
    rng = np.random.default_rng(1)
    texts = [compose("0105", rng, "东四北大街12号附近", "水域不洁") for _ in range(50)]
    assert all("水域不洁" in title + text and 30 <= len(text) <= 200 for title, text in texts)
    assert len({text for _title, text in texts}) >= 40


def test_the_router_learns_the_major_classes_far_beyond_the_majority_class():
    # 60 texts per major class, its minor classes in turn.
    majors = sorted({TREE[code][0] for code in DEMO_CODES})
    codes = [minors[i % len(minors)] for major in majors
             for minors in [[code for code in DEMO_CODES if TREE[code][0] == major]] for i in range(60)]
    rows = generate(codes, 1, seed=8)
    accuracy, macro_f1, baseline = held_out(rows, lambda code: TREE[code][0])
    assert baseline < 0.15
    assert accuracy >= baseline + 0.6 and macro_f1 >= 0.8, (accuracy, macro_f1, baseline)


def test_the_router_tells_most_minor_classes_apart_though_neighbours_overlap():
    rows = generate(DEMO_CODES, 40, seed=2)
    accuracy, macro_f1, baseline = held_out(rows, lambda code: code)
    assert accuracy >= baseline + 0.6 and macro_f1 >= 0.7, (accuracy, macro_f1, baseline)
    assert accuracy < 0.99  # neighbouring classes share words: not a keyword lookup


def test_texts_shuffled_across_classes_teach_the_router_nothing():
    rows = generate(DEMO_CODES, 20, seed=4)
    codes = [code for *_text, code in rows]
    np.random.default_rng(0).shuffle(codes)
    shuffled = [(title, text, code) for (title, text, _code), code in zip(rows, codes, strict=True)]
    accuracy, _macro_f1, baseline = held_out(shuffled, lambda code: TREE[code][0])
    assert accuracy < baseline + 0.2  # so the thresholds above measure the texts, not the split
