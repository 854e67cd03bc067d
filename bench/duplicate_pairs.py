"""Candidate message pairs for measuring the duplicate-report detector (issue 8).

    .venv/bin/python bench/duplicate_pairs.py [--messages CSV] [--seed 2026] [--out PATH]
    .venv/bin/python bench/duplicate_pairs.py --show bench/duplicate_pairs.csv [--start 0] [--count 20]

The first form reads the unlabelled messages (default: ../shared/data/messages-unlabelled.csv,
columns id,user,title,time,text,against,likes) and writes candidate pairs as a CSV with columns
id_a,id_b,stratum (id_a < id_b, sorted) to stdout or --out. Three strata, so that the labelled set
holds both duplicates and hard non-duplicates:

- high:   character-bigram Jaccard similarity of title+text >= 0.30, drawn across four
          similarity bands so that not only verbatim reposts appear;
- medium: 0.06 <= Jaccard < 0.30 and both messages name the same rare place (an estate, road,
          village, company ... seen in at most 15 messages), plus pairs with 0.12 <= Jaccard < 0.30
          (same topic words);
- random: random pairs whose messages were posted at most 30 days apart.

No message appears in more than two pairs. The draw is deterministic for a given --seed.

The second form prints the pairs of a pair file (title, time and text of both messages) for
reading them when labelling. The message texts stay in ../shared/data: never copy them into the
project; the labelled file bench/duplicate_pairs.csv holds ids and labels only.
"""

import argparse
import collections
import csv
import datetime
import re
import sys
from pathlib import Path

import numpy as np
from scipy import sparse

DEFAULT_MESSAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "messages-unlabelled.csv"

# (low, high, count) similarity bands of the "high" stratum.
HIGH_BANDS = [(0.30, 0.45, 45), (0.45, 0.60, 40), (0.60, 0.80, 40), (0.80, 1.01, 45)]
MEDIUM_PLACE = (0.06, 0.30, 70)
MEDIUM_BAND = (0.12, 0.30, 70)
RANDOM_COUNT = 90
RANDOM_WINDOW = datetime.timedelta(days=30)
MAX_PAIRS_PER_MESSAGE = 2
RARE_PLACE_MAX_DF = 15

PLACE_SUFFIXES = "小区|社区|花园|家园|公寓|广场|大厦|村|镇|乡|街道|大道|路|公司|学校|中学|小学|幼儿园|医院|市场|公园"
# Overlapping matches: two to four Chinese characters followed by a place suffix.
PLACE_RE = re.compile(r"(?=([\u4e00-\u9fa5]{2,4}(?:" + PLACE_SUFFIXES + ")))")
GENERIC_RE = re.compile(r"我|你|这|那|一个|的|们|个|该|此|每")


def load_messages(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def parse_time(value):
    value = value.strip().replace("-", "/")
    return datetime.datetime.strptime(value, "%Y/%m/%d %H:%M:%S")


def normalise(message):
    return re.sub(r"\s+", "", message["title"] + message["text"])


def incidence(sets):
    """Binary message x feature matrix of a list of sets."""
    vocab, rows, cols = {}, [], []
    for i, features in enumerate(sets):
        for feature in sorted(features):
            rows.append(i)
            cols.append(vocab.setdefault(feature, len(vocab)))
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), max(len(vocab), 1)))


def bigram_jaccard(docs):
    bigrams = [{d[k : k + 2] for k in range(len(d) - 1)} for d in docs]
    x = incidence(bigrams)
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).toarray()
    union = sizes[:, None] + sizes[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def shared_rare_places(docs):
    places = [set(PLACE_RE.findall(d)) for d in docs]
    df = collections.Counter(p for ps in places for p in ps)
    rare = [{p for p in ps if 2 <= df[p] <= RARE_PLACE_MAX_DF and not GENERIC_RE.search(p)} for ps in places]
    x = incidence(rare)
    return (x @ x.T).toarray() > 0


def upper_pairs(mask):
    i, j = np.nonzero(np.triu(mask, 1))
    return list(zip(i.tolist(), j.tolist(), strict=True))


def take(candidates, count, rng, chosen, uses):
    """Add up to count pairs drawn at random from candidates to chosen, respecting the use cap."""
    taken = 0
    for k in rng.permutation(len(candidates)):
        if taken == count:
            break
        i, j = candidates[k]
        if (i, j) in chosen or uses[i] >= MAX_PAIRS_PER_MESSAGE or uses[j] >= MAX_PAIRS_PER_MESSAGE:
            continue
        yield i, j
        uses[i] += 1
        uses[j] += 1
        taken += 1


def build_pairs(messages, seed):
    rng = np.random.RandomState(seed)
    docs = [normalise(m) for m in messages]
    jac = bigram_jaccard(docs)
    places = shared_rare_places(docs)
    chosen = {}
    uses = collections.Counter()

    for low, high, count in HIGH_BANDS:
        for pair in take(upper_pairs((jac >= low) & (jac < high)), count, rng, chosen, uses):
            chosen[pair] = "high"
    low, high, count = MEDIUM_PLACE
    for pair in take(upper_pairs(places & (jac >= low) & (jac < high)), count, rng, chosen, uses):
        chosen[pair] = "medium"
    low, high, count = MEDIUM_BAND
    for pair in take(upper_pairs((jac >= low) & (jac < high)), count, rng, chosen, uses):
        chosen[pair] = "medium"

    times = [parse_time(m["time"]) for m in messages]
    n, taken = len(messages), 0
    while taken < RANDOM_COUNT:
        i, j = sorted(rng.randint(0, n, size=2).tolist())
        if i == j or (i, j) in chosen or abs(times[i] - times[j]) > RANDOM_WINDOW:
            continue
        if uses[i] >= MAX_PAIRS_PER_MESSAGE or uses[j] >= MAX_PAIRS_PER_MESSAGE:
            continue
        chosen[(i, j)] = "random"
        uses[i] += 1
        uses[j] += 1
        taken += 1

    rows = []
    for (i, j), stratum in chosen.items():
        a, b = sorted((int(messages[i]["id"]), int(messages[j]["id"])))
        rows.append((a, b, stratum))
    rows.sort()
    return rows, jac


def write_pairs(out, rows):
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id_a", "id_b", "stratum"])
    writer.writerows(rows)


def show(pair_file, messages, start, count):
    by_id = {int(m["id"]): m for m in messages}
    with open(pair_file, encoding="utf-8", newline="") as fh:
        pairs = list(csv.DictReader(fh))
    for n, row in enumerate(pairs[start : start + count], start):
        a, b = by_id[int(row["id_a"])], by_id[int(row["id_b"])]
        label = ", ".join(f"{k}={v}" for k, v in row.items() if k not in ("id_a", "id_b"))
        sim = bigram_jaccard([normalise(a), normalise(b)])[0, 1]
        print(f"=== #{n} {row['id_a']} / {row['id_b']}  {label} jaccard={sim:.2f}")
        for m in (a, b):
            print(f"[{m['id']}] {m['user']} {m['time']} | {m['title']}")
            print("    " + re.sub(r"\s+", " ", m["text"]).strip())
        print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", default=str(DEFAULT_MESSAGES))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", help="write the candidate pairs here instead of stdout")
    parser.add_argument("--show", metavar="PAIR_CSV", help="print the messages of the pairs in this file")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(argv)

    messages = load_messages(args.messages)
    if args.show:
        show(args.show, messages, args.start, args.count)
        return

    rows, _ = build_pairs(messages, args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            write_pairs(out, rows)
    else:
        write_pairs(sys.stdout, rows)
    counts = collections.Counter(stratum for _, _, stratum in rows)
    print(f"{len(rows)} pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
