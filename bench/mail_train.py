"""Train the mail guard's phishing model and write it as heistguard/mail/trained/phishing-model.json.

    python bench/mail_train.py --phishing DIR --ham DIR --modern-ham DIR --manifest modern_ham_SOURCES.md

The model is a logistic regression on the rules' findings plus binary word features of what the
message says (links, addresses and quoted replies reduced to neutral tokens). It trains on the
older part of each corpus (see mail_corpus.split); bench/mail_eval.py measures it on the newer part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from mail_corpus import Sample, iter_all, split
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from heistguard import __version__
from heistguard.config import MailConfig
from heistguard.mail.context import MailContext
from heistguard.mail.features import TOKEN_PATTERN, model_text, rule_features
from heistguard.mail.message import parse_message
from heistguard.mail.rules import RULES
from heistguard.mail.triage import rule_findings

OUT = Path(__file__).resolve().parent.parent / "heistguard" / "mail" / "trained" / "phishing-model.json"
RULE_IDS = [rule.id for rule in RULES]
MODEL_VERSION = "2"
# Word features: kept when at least this many training messages use them, at most this many.
MIN_DF, MAX_WORDS = 5, 4000
# Words and adjacent word pairs ("verify account", "claim rewards"): pairs say what a message asks. Chosen on
# out-of-fold recall within the training split (0.972 words alone, 0.982 with pairs, at 0.5 % FPR on its ham).
NGRAMS = (1, 2)
# A word whose share of messages differs this many times between 2002 ham and modern ham dates a
# message rather than describing it, and is dropped (with a floor so rare words are judged fairly).
ERA_RATIO, ERA_FLOOR = 10.0, 0.01
# Words of mailing-list machinery (footers, digests): they say which archive a message came through.
LIST_WORDS = frozenset(
    {
        "mailing", "list", "lists", "listinfo", "unsubscribe", "subscribe", "subscribed", "subscription", "mailman",
        "archive", "archives", "digest", "digests", "groups", "googlegroups", "moderator", "posting", "posted",
        "sourceforge", "lfdr",
    }
)  # fmt: skip
# The honeypot's own name survives anonymisation in variants (phishing=gmail.com bounce tags, "pot"):
# a word that names the corpus, never the message.
TRAP_WORDS = frozenset({"phishing", "pot"})
# Links and addresses are reduced to these tokens; a pair of them only says where a footer puts its links.
PLACEHOLDERS = frozenset({"addresstoken", "linktoken"})
# Verdict thresholds are set on out-of-fold training scores of legitimate mail.
HIGH_FPR, MEDIUM_FPR = 0.002, 0.01


# How text becomes terms, the same in training, era filtering and the shipped reader (heistguard.mail.model):
# binary presence, TOKEN_PATTERN, English function words dropped ("your", "please" say how formal a message is,
# not what it asks), then words and pairs of adjacent remaining words.
_TERMS: dict[str, Any] = {
    "binary": True,
    "token_pattern": TOKEN_PATTERN,
    "stop_words": sorted(ENGLISH_STOP_WORDS),
    "ngram_range": NGRAMS,
}


def extract(samples: list[Sample], label: str = "") -> tuple[list[list[float]], list[str]]:
    """Rule features and model text of each sample (rules run without intel and without DNS)."""
    context = MailContext(MailConfig())
    rows, texts = [], []
    start = time.monotonic()
    for index, sample in enumerate(samples):
        message = parse_message(sample.raw, str(sample.path))
        findings = rule_findings(message, context)
        rows.append(rule_features(findings, RULE_IDS))
        texts.append(model_text(message))
        if label and index and index % 2000 == 0:
            print(
                f"  {label}: {index}/{len(samples)} ({index / (time.monotonic() - start):.0f} msg/s)", file=sys.stderr
            )
    return rows, texts


def era_words(texts: list[str], samples: list[Sample], vocabulary: list[str]) -> set[str]:
    """Words whose frequency in 2002 ham and modern ham differs by ERA_RATIO or more."""
    old = [t for t, s in zip(texts, samples, strict=True) if s.label == 0 and s.group.startswith("ham-2002")]
    new = [t for t, s in zip(texts, samples, strict=True) if s.label == 0 and s.group.startswith("modern/")]
    if not old or not new:
        return set()
    counter = CountVectorizer(**_TERMS, vocabulary=vocabulary)
    df_old = np.asarray(counter.transform(old).mean(axis=0)).ravel()
    df_new = np.asarray(counter.transform(new).mean(axis=0)).ravel()
    dated = set()
    for word, a, b in zip(vocabulary, df_old, df_new, strict=True):
        if max(a, b) >= ERA_FLOOR and max(a, b) / max(min(a, b), ERA_FLOOR / ERA_RATIO) >= ERA_RATIO:
            dated.add(word)
    return dated


def fit(train: list[Sample], rows: list[list[float]], texts: list[str]) -> dict[str, Any]:
    labels = np.array([s.label for s in train])
    words = CountVectorizer(**_TERMS, min_df=MIN_DF, max_features=MAX_WORDS * 4)
    words.fit(texts)
    vocabulary = sorted(words.vocabulary_)
    dated = era_words(texts, train, vocabulary)
    # a pair is dropped with any dated, list or trap word in it, as well as when the pair itself is dated
    banned = dated | LIST_WORDS | TRAP_WORDS
    vocabulary = [
        w for w in vocabulary if w not in banned and not set(w.split()) & banned and not set(w.split()) <= PLACEHOLDERS
    ]
    words = CountVectorizer(**_TERMS, vocabulary=vocabulary)
    matrix = hstack([csr_matrix(np.array(rows)), words.transform(texts)]).tocsr()
    model = LogisticRegression(C=0.5, class_weight="balanced", max_iter=3000)
    groups = [s.group if s.group.startswith("modern/") else f"{s.group}/{i % 5}" for i, s in enumerate(train)]
    oof = cross_val_predict(model, matrix, labels, cv=GroupKFold(n_splits=5), groups=groups, method="predict_proba")[
        :, 1
    ]
    ham_scores = np.sort(oof[labels == 0])
    high = float(ham_scores[int(len(ham_scores) * (1 - HIGH_FPR))])
    medium = float(ham_scores[int(len(ham_scores) * (1 - MEDIUM_FPR))])
    model.fit(matrix, labels)
    coef = model.coef_.ravel()
    n_rules = len(RULE_IDS)
    return {
        "ngram_range": list(NGRAMS),
        "stop_words": sorted(ENGLISH_STOP_WORDS),
        "dated_words": sorted(dated),
        "vocabulary": vocabulary,
        "rule_features": RULE_IDS,
        "rule_coef": [round(float(c), 6) for c in coef[:n_rules]],
        "word_coef": [round(float(c), 6) for c in coef[n_rules:]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold_high": round(max(high, 0.5), 6),
        "threshold_medium": round(max(min(medium, high), 0.3), 6),
    }


def importances(artifact: dict[str, Any], top: int = 15) -> list[tuple[str, float]]:
    pairs = [(f"rule {r}", c) for r, c in zip(artifact["rule_features"], artifact["rule_coef"], strict=True)]
    pairs += [(f"word '{w}'", c) for w, c in zip(artifact["vocabulary"], artifact["word_coef"], strict=True)]
    ranked = sorted(pairs, key=lambda p: -abs(p[1]))
    return ranked[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phishing", type=Path, required=True, help="phishing_pot folder (sample-N.eml)")
    parser.add_argument("--ham", type=Path, required=True, help="SpamAssassin ham folder")
    parser.add_argument("--modern-ham", type=Path, help="modern_ham folder")
    parser.add_argument("--manifest", type=Path, help="modern_ham_SOURCES.md (repository and kind per file)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    samples = list(iter_all(args.phishing, args.ham, args.modern_ham, args.manifest, None))
    train, _ = split(samples)
    print(f"training on {len(train)} messages ({sum(s.label for s in train)} phishing)", file=sys.stderr)
    rows, texts = extract(train, "features")
    artifact = fit(train, rows, texts)
    artifact = {
        "version": MODEL_VERSION,
        "heistguard": __version__,
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "algorithm": "scikit-learn LogisticRegression(C=0.5, class_weight=balanced) on rule features + binary words "
        "and word pairs",
        "training_data": {
            "phishing": "rf-peixoto/phishing_pot @ 8e207b5f, older 70% by collection order (CC BY-NC 4.0)",
            "ham_2002": "Apache SpamAssassin public corpus easy_ham_1/2 + hard_ham, older 70% by file order",
            "modern_ham": "modern_ham (24 public GitHub repositories), all but the held-out repositories",
            "counts": {"phishing": sum(s.label for s in train), "ham": sum(1 - s.label for s in train)},
            "traps": "victim token replaced; list/delivery headers dropped; era-dated words dropped",
        },
        **artifact,
    }
    args.out.write_text(json.dumps(artifact, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(artifact['vocabulary'])} words)")
    print(f"dropped as era markers: {len(artifact['dated_words'])} words, e.g. {artifact['dated_words'][:12]}")
    print("what it leans on (largest coefficients):")
    for name, weight in importances(artifact):
        print(f"  {weight:+.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
