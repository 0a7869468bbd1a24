"""Out-of-fold experiments for the mail model, on the training split only (the test split is never read).

    python bench/mail_oof.py --phishing DIR --ham DIR --modern-ham DIR --manifest modern_ham_SOURCES.md \\
        [--cache /tmp/recall-cache]

Every figure comes from 5-fold GroupKFold predictions inside the training split of bench/mail_corpus.split,
folds as bench/mail_train.py makes them (modern ham by source repository). It prints, for each variant tried for
model 3: the model probability's recall at 0.5 % FPR on the training ham and its ROC AUC, and the shipped
verdict's recall and FPR (PhishingModel.finding with thresholds set on the same out-of-fold scores), per
language of the phishing; the era test of each structural feature (its mean on 2002 ham against modern ham);
and what a very-likely tier costs and gives at several thresholds. Parsed features are cached on disk
(`--cache`), so a second run does not parse the 6,600 messages again.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from mail_corpus import Sample, iter_all, split
from mail_eval import language_of
from mail_train import (
    STOP_WORDS,
    Extracted,
    design,
    era_words,
    extract,
    fold_groups,
    new_model,
    out_of_fold_scores,
    terms,
    thresholds,
    verdicts_phishing,
    vocabulary_of,
)
from scipy.sparse import csr_matrix, hstack
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from heistguard.mail.authentication import aligned_pass, recorded_results
from heistguard.mail.domains import FREE_MAIL, host_of, registrable
from heistguard.mail.message import Message

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_URL_WORDS = re.compile(r"[^\W\d_]{3,20}")
LANGUAGES = ("en", "de", "pt", "other", "nl", "fr")


def _org(domain: str) -> str:
    return registrable(domain) if domain else ""


def structure(message: Message) -> dict[str, float]:
    """Era-neutral candidates: how a message is built and where it sends the reader (measured, not shipped)."""
    sender = _org(message.from_domain)
    orgs = [_org(h) for h in (host_of(link.url) for link in message.links) if h]
    offsite = sum(o != sender for o in orgs) / len(orgs) if orgs else 0.0
    message_id = message.header("Message-ID") or ""
    id_domain = message_id.rsplit("@", 1)[-1].strip(" <>").lower() if "@" in message_id else ""
    display = message.sender_from.display if message.sender_from else ""
    in_display = _ADDRESS.search(display or "")
    words = len(_WORDS.findall(message.text[:20000]))
    return {
        "offsite_share": offsite,
        "all_links_offsite": float(bool(orgs) and offsite == 1.0),
        "message_id_unrelated": float(bool(sender and id_domain) and _org(id_domain) != sender),
        "link_domains": min(len(set(orgs)), 5) / 5,
        "form": float(bool(message.forms)),
        "reply_to_elsewhere": float(
            bool(sender) and any(a.domain and _org(a.domain) != sender for a in message.reply_to)
        ),
        "mostly_link": float(bool(orgs) and words < 40),
        "address_in_display_name": float(
            in_display is not None and _org(in_display.group(0).rsplit("@", 1)[-1]) != sender
        ),
        "free_mail_sender": float(sender in FREE_MAIL),
    }


def link_words(message: Message) -> str:
    """Words of where the links go: host labels and path words ("secure", "login", "verify")."""
    out = []
    for link in message.links:
        host = host_of(link.url)
        out += _URL_WORDS.findall(host.lower())
        out += _URL_WORDS.findall(link.url.lower().split(host, 1)[-1] if host else link.url.lower())
    return " ".join(out)


# Link words that say which corpus or era a link comes from, not where it sends the reader: the scheme (https is
# modern, a bare www. is 2002), the anonymised victim's address, mailing-list machinery, and top-level domains
# (.org and .net for the open-source lists, .br for the Brazilian honeypot).
_SOURCE_LINK_WORDS = frozenset(
    {"http", "https", "www", "mailto", "recipient", "example", "com", "org", "net", "edu", "gov", "info", "biz"}
)


def clean_link_words(text: str) -> str:
    from mail_train import LIST_WORDS, TRAP_WORDS

    drop = _SOURCE_LINK_WORDS | LIST_WORDS | TRAP_WORDS
    return " ".join(w for w in text.split() if w not in drop)


def authenticated(message: Message) -> bool:
    sender = message.sender_from
    if sender is None or not sender.domain or registrable(sender.domain) in FREE_MAIL:
        return False
    recorded = recorded_results(message)
    return recorded is not None and aligned_pass(recorded, sender.domain)


def extras(message: Message) -> dict[str, Any]:
    return {
        "structure": structure(message),
        "link_words": link_words(message),
        "authenticated": authenticated(message),
        "language": language_of(message.subject + "\n" + message.text),
    }


def cached(train: list[Sample], cache: Path, also: Callable[[Message], Any]) -> Extracted:
    key = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("heistguard", "mail").rglob("*.py")):
        key.update(path.read_bytes())
    key.update(Path(__file__).read_bytes())
    for sample in train:
        key.update(hashlib.sha256(sample.raw).digest())
    path = cache / f"mail-oof-{key.hexdigest()[:16]}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            loaded: Extracted = pickle.load(handle)  # our own cache file, written below
            return loaded
    features = extract(train, "features", also)
    cache.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(features, handle)
    return features


class Bench:
    def __init__(self, train: list[Sample], features: Extracted) -> None:
        self.train, self.features = train, features
        self.labels = np.array([s.label for s in train])
        self.groups = fold_groups(train)
        self.old = np.array([s.group.startswith("ham-2002") for s in train])
        self.modern = np.array([s.group.startswith("modern/") for s in train])
        self.languages = np.array([e["language"] for e in features.extras])
        self.vouched = np.array(features.vouched)
        self.authenticated = np.array([e["authenticated"] for e in features.extras])

    def words(self, stop_words: list[str] = STOP_WORDS) -> Any:
        vocabulary, _ = vocabulary_of(self.train, self.features.texts, stop_words)
        return design(self.features.rows, self.features.texts, vocabulary, stop_words)

    def recall_at(self, scores: np.ndarray, fpr: float = 0.005) -> float:
        ham = np.sort(scores[self.labels == 0])[::-1]
        return float(np.mean(scores[self.labels == 1] > ham[int(fpr * len(ham))]))

    def line(self, name: str, scores: np.ndarray, flagged: np.ndarray) -> None:
        phish = self.labels == 1
        per = " ".join(f"{lang} {np.mean(flagged[phish & (self.languages == lang)]):.3f}" for lang in LANGUAGES)
        print(
            f"{name:<44} AUC {roc_auc_score(self.labels, scores):.5f}  p recall@0.5% {self.recall_at(scores):.4f}"
            f"  verdict recall {np.mean(flagged[phish]):.4f} FPR {np.mean(flagged[~phish]):.4f}"
            f" (modern {int(np.sum(flagged & self.modern))}/{int(self.modern.sum())})  {per}"
        )

    def verdict(self, scores: np.ndarray, tier: bool = True) -> np.ndarray:
        artifact = self.artifact(scores)
        if not tier:
            artifact["threshold_very"] = None
        return verdicts_phishing(artifact, scores, self.features)

    def artifact(self, scores: np.ndarray) -> dict[str, Any]:
        from mail_train import RULE_IDS

        return {
            "rule_features": RULE_IDS,
            "vocabulary": [],
            "rule_coef": [0.0] * len(RULE_IDS),
            "word_coef": [],
            "intercept": 0.0,
            **thresholds(scores, self.labels),
        }

    def run(self, name: str, matrix: Any, estimator: Any = None) -> np.ndarray:
        scores = out_of_fold_scores(estimator or new_model(), matrix, self.labels, self.groups)
        self.line(name + " (tier)", scores, self.verdict(scores))
        self.line(name + " (no tier)", scores, self.verdict(scores, tier=False))
        return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phishing", type=Path, required=True)
    parser.add_argument("--ham", type=Path, required=True)
    parser.add_argument("--modern-ham", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/recall-cache"))
    args = parser.parse_args(argv)
    if not args.manifest.is_file():
        parser.error(f"--manifest {args.manifest}: no such file")
    train, _ = split(list(iter_all(args.phishing, args.ham, args.modern_ham, args.manifest, None)))
    bench = Bench(train, cached(train, args.cache, extras))
    labels = bench.labels
    print(f"training split: {len(train)} messages, {int(labels.sum())} phishing, {int(bench.old.sum())} 2002 ham, "
          f"{int(bench.modern.sum())} modern ham (5 group folds out of fold; test split not read)\n")  # fmt: skip

    print("era test of structural features (mean on 2002 ham / modern ham / phishing; a ratio far from 1 between the")
    print("two hams dates a message rather than describing it):")
    names = list(bench.features.extras[0]["structure"])
    table = np.array([[e["structure"][n] for n in names] for e in bench.features.extras])
    for j, name in enumerate(names):
        a, b, c = table[bench.old, j].mean(), table[bench.modern, j].mean(), table[labels == 1, j].mean()
        print(f"  {name:<24} {a:7.3f} {b:7.3f} {c:7.3f}")

    print("\nvariants (verdict with the very-likely tier at the shipped threshold, and without it):")
    english = sorted(ENGLISH_STOP_WORDS)
    bench.run("model 2 words (English function words)", bench.words(english))
    words = bench.words()
    base = bench.run("model 3 words (function words of 7 languages)", words)
    neutral = ["mostly_link", "address_in_display_name", "all_links_offsite", "offsite_share", "link_domains"]
    columns = [names.index(n) for n in neutral]
    bench.run("+ structural (era-neutral five)", hstack([csr_matrix(table[:, columns]), words]).tocsr())
    bench.run("+ structural (all nine)", hstack([csr_matrix(table), words]).tocsr())
    for name, link_texts in (
        ("+ link host and path words", [e["link_words"] for e in bench.features.extras]),
        ("+ link words, source words dropped", [clean_link_words(e["link_words"]) for e in bench.features.extras]),
    ):
        counter = CountVectorizer(**terms([]), min_df=5, max_features=4000).fit(link_texts)
        dated = era_words(link_texts, train, sorted(counter.vocabulary_), [])
        kept = [w for w in sorted(counter.vocabulary_) if w not in dated]
        links = CountVectorizer(**terms([]), vocabulary=kept).transform(link_texts)
        print(f"  ({name}: {len(kept)} kept, {len(dated)} dropped as era markers)")
        scores = bench.run(name, hstack([words, links]).tocsr())
        model = new_model().fit(hstack([words, links]).tocsr(), labels)
        coef = model.coef_.ravel()[words.shape[1] :]
        order = np.argsort(coef)
        print("    leans most on:", ", ".join(f"{kept[i]} {coef[i]:+.2f}" for i in [*order[:8], *order[::-1][:8]]))
        del scores
    for c in (0.25, 2.0):
        bench.run(f"C={c}", words, LogisticRegression(C=c, class_weight="balanced", max_iter=3000))
    bench.run("no class weight", words, LogisticRegression(C=0.5, max_iter=3000))
    text_only = bench.words()[:, len(bench.features.rows[0]) :]
    word_scores = out_of_fold_scores(new_model(), text_only, labels, bench.groups)
    stacked = np.column_stack([np.array(bench.features.rows), table, word_scores])
    gbm = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, class_weight="balanced")
    bench.run("gradient boosting on rules + structure + word score", stacked, gbm)

    print("\nthe very-likely tier on model 3's out-of-fold scores (alone, above the threshold, makes phishing):")
    artifact = bench.artifact(base)
    plain = bench.verdict(base, tier=False)
    ham = np.sort(base[labels == 0])
    for label, very in [
        *((f"ham quantile {q}", max(float(ham[int(len(ham) * (1 - q))]), artifact["threshold_high"]))
          for q in (0.0005, 0.001, 0.002)),
        *((f"fixed {v}", v) for v in (0.95, 0.97, 0.99)),
    ]:  # fmt: skip
        for condition, blocked in (("not vouched", bench.vouched), ("not authenticated", bench.authenticated)):
            flagged = plain | ((base >= very) & ~blocked)
            bench.line(f"tier p>={very:.3f} ({label}), {condition}", base, flagged)
    print(f"(shipped: {artifact['threshold_very']:.3f}, not vouched; aligned-authenticated senders among the training "
          f"phishing: {np.mean(bench.authenticated[labels == 1]):.3f}, vouched: "
          f"{np.mean(bench.vouched[labels == 1]):.3f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
