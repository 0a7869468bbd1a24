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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from mail_corpus import Sample, iter_all, split
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from heistguard import __version__
from heistguard.config import MailConfig
from heistguard.findings import Finding, Severity
from heistguard.mail.authentication import vouched_notice
from heistguard.mail.context import MailContext
from heistguard.mail.features import TOKEN_PATTERN, model_text, rule_features
from heistguard.mail.message import Message, parse_message
from heistguard.mail.model import Opinion, PhishingModel
from heistguard.mail.rules import RULES
from heistguard.mail.triage import rule_findings

OUT = Path(__file__).resolve().parent.parent / "heistguard" / "mail" / "trained" / "phishing-model.json"
RULE_IDS = [rule.id for rule in RULES]
MODEL_VERSION = "3"
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
# Verdict thresholds are set on out-of-fold training scores of legitimate mail. "Very likely" (the model calls
# phishing on its own, unless the sender vouches for a notice) is where about one legitimate training message in a
# thousand scores, and never below VERY_FLOOR; chosen out of fold on the training split (docs/benchmarks.md).
HIGH_FPR, MEDIUM_FPR, VERY_FPR, VERY_FLOOR = 0.002, 0.01, 0.001, 0.95
# Function words of the other languages the phishing is written in. The training ham is English, so "para",
# "und", "vous" only say "not English", i.e. which corpus a message came from; they are dropped like English
# function words. Content words ("senha", "Konto") are kept: they say what a message asks.
FUNCTION_WORDS = {
    "pt": "a o as os um uma uns umas de do da dos das em no na nos nas por pelo pela pelos pelas para com sem sob "
    "sobre entre até após e ou mas que se não sim já mais muito muita muitos muitas também como quando onde qual "
    "quais quem seu sua seus suas meu minha nosso nossa você vocês ele ela eles elas nós eu isso isto esse essa "
    "este esta aquele aquela ao aos à às foi ser está estão são tem têm há pode",
    "es": "el la los las un una unos unas de del al en por para con sin sobre entre hasta desde y o pero que si no "
    "sí ya más muy también como cuando donde cual cuales quien su sus mi mis nuestro nuestra usted ustedes él ella "
    "ellos ellas nosotros yo eso esto ese esa este esta es son está están fue ser ha han hay puede le les lo",
    "de": "der die das den dem des ein eine einen einem einer eines und oder aber dass wenn nicht kein keine ist "
    "sind war wird werden wurde hat haben sein ich du er sie es wir ihr ihre ihren ihrem ihrer ihres mit von zu "
    "zum zur auf aus bei für über unter nach vor durch um an am im in ins auch noch nur schon sehr wie was wer wo "
    "dies diese dieser dieses diesen mein meine unser unsere kann können",
    "fr": "le la les un une des du de au aux en dans par pour avec sans sur sous entre et ou mais que qui quoi si "
    "ne pas plus très aussi comme quand où son sa ses mon ma mes notre nos votre vos vous nous il elle ils elles je "
    "tu ce cet cette ces est sont été être avoir a ont peut leur leurs",
    "nl": "de het een en of maar dat die dit deze van voor met zonder op in aan bij uit naar over onder door tot "
    "als wanneer waar wie wat niet geen ook nog wel al zeer is zijn was waren wordt worden heeft hebben kan kunnen "
    "ik jij je u hij zij ze wij we jullie uw jouw mijn ons onze hun haar zich er te om",
    "it": "il lo la i gli le un uno una di del della dei delle da dal dalla in nel nella con su per tra fra e o ma "
    "che se non più molto anche come quando dove chi suo sua suoi sue mio mia nostro nostra vostro vostra lei lui "
    "loro noi io è sono stato essere ha hanno può ci si",
}
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | {word for words in FUNCTION_WORDS.values() for word in words.split()})


# How text becomes terms, the same in training, era filtering and the shipped reader (heistguard.mail.model):
# binary presence, TOKEN_PATTERN, function words dropped ("your", "please" say how formal a message is, not what
# it asks; "para", "und" which language), then words and pairs of adjacent remaining words.
def terms(stop_words: list[str] = STOP_WORDS) -> dict[str, Any]:
    return {"binary": True, "token_pattern": TOKEN_PATTERN, "stop_words": stop_words, "ngram_range": NGRAMS}


@dataclass
class Extracted:
    """What training needs of each sample: its rule features and model text, and for the out-of-fold verdicts the
    rules' findings and whether the sender vouches for it (heistguard.mail.authentication.vouched_notice)."""

    rows: list[list[float]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    findings: list[list[Finding]] = field(default_factory=list)
    vouched: list[bool] = field(default_factory=list)
    extras: list[Any] = field(default_factory=list)  # what `also` computed of each message (experiments)


def extract(samples: list[Sample], label: str = "", also: Callable[[Message], Any] | None = None) -> Extracted:
    """Rule features, model text, findings and vouching of each sample (rules run without intel and without DNS),
    and whatever `also` computes of each parsed message."""
    context = MailContext(MailConfig())
    out = Extracted()
    start = time.monotonic()
    for index, sample in enumerate(samples):
        message = parse_message(sample.raw, str(sample.path))
        findings = rule_findings(message, context)
        out.rows.append(rule_features(findings, RULE_IDS))
        out.texts.append(model_text(message))
        out.findings.append(findings)
        out.vouched.append(vouched_notice(message))
        if also is not None:
            out.extras.append(also(message))
        if label and index and index % 2000 == 0:
            print(
                f"  {label}: {index}/{len(samples)} ({index / (time.monotonic() - start):.0f} msg/s)", file=sys.stderr
            )
    return out


def era_words(
    texts: list[str], samples: list[Sample], vocabulary: list[str], stop_words: list[str] = STOP_WORDS
) -> set[str]:
    """Words whose frequency in 2002 ham and modern ham differs by ERA_RATIO or more."""
    old = [t for t, s in zip(texts, samples, strict=True) if s.label == 0 and s.group.startswith("ham-2002")]
    new = [t for t, s in zip(texts, samples, strict=True) if s.label == 0 and s.group.startswith("modern/")]
    if not old or not new:
        return set()
    counter = CountVectorizer(**terms(stop_words), vocabulary=vocabulary)
    df_old = np.asarray(counter.transform(old).mean(axis=0)).ravel()
    df_new = np.asarray(counter.transform(new).mean(axis=0)).ravel()
    dated = set()
    for word, a, b in zip(vocabulary, df_old, df_new, strict=True):
        if max(a, b) >= ERA_FLOOR and max(a, b) / max(min(a, b), ERA_FLOOR / ERA_RATIO) >= ERA_RATIO:
            dated.add(word)
    return dated


def vocabulary_of(
    train: list[Sample], texts: list[str], stop_words: list[str] = STOP_WORDS
) -> tuple[list[str], set[str]]:
    """The words and pairs the model reads (at least MIN_DF training messages use them), and those dropped as era
    markers; list-machinery and trap words are dropped too."""
    words = CountVectorizer(**terms(stop_words), min_df=MIN_DF, max_features=MAX_WORDS * 4)
    words.fit(texts)
    vocabulary = sorted(words.vocabulary_)
    dated = era_words(texts, train, vocabulary, stop_words)
    # a pair is dropped with any dated, list or trap word in it, as well as when the pair itself is dated
    banned = dated | LIST_WORDS | TRAP_WORDS
    vocabulary = [
        w for w in vocabulary if w not in banned and not set(w.split()) & banned and not set(w.split()) <= PLACEHOLDERS
    ]
    return vocabulary, dated


def design(
    rows: list[list[float]], texts: list[str], vocabulary: list[str], stop_words: list[str] = STOP_WORDS
) -> csr_matrix:
    """The model's input: one column per rule, then one per vocabulary term."""
    words = CountVectorizer(**terms(stop_words), vocabulary=vocabulary)
    return hstack([csr_matrix(np.array(rows)), words.transform(texts)]).tocsr()


def fold_groups(train: list[Sample]) -> list[str]:
    """Cross-validation groups: modern ham by source repository (no thread on both sides), the rest interleaved."""
    return [s.group if s.group.startswith("modern/") else f"{s.group}/{i % 5}" for i, s in enumerate(train)]


def out_of_fold_scores(estimator: Any, matrix: Any, labels: np.ndarray, groups: list[str]) -> np.ndarray:
    cv = GroupKFold(n_splits=5)
    return np.asarray(cross_val_predict(estimator, matrix, labels, cv=cv, groups=groups, method="predict_proba")[:, 1])


def thresholds(oof: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Verdict thresholds from the out-of-fold scores of the legitimate training mail."""
    ham_scores = np.sort(oof[labels == 0])
    high = max(float(ham_scores[int(len(ham_scores) * (1 - HIGH_FPR))]), 0.5)
    medium = max(min(float(ham_scores[int(len(ham_scores) * (1 - MEDIUM_FPR))]), high), 0.3)
    very = max(float(ham_scores[int(len(ham_scores) * (1 - VERY_FPR))]), high, VERY_FLOOR)
    return {"threshold_high": round(high, 6), "threshold_medium": round(medium, 6), "threshold_very": round(very, 6)}


def new_model() -> LogisticRegression:
    return LogisticRegression(C=0.5, class_weight="balanced", max_iter=3000)


def fit(train: list[Sample], features: Extracted) -> dict[str, Any]:
    labels = np.array([s.label for s in train])
    vocabulary, dated = vocabulary_of(train, features.texts)
    matrix = design(features.rows, features.texts, vocabulary)
    oof = out_of_fold_scores(new_model(), matrix, labels, fold_groups(train))
    model = new_model().fit(matrix, labels)
    coef = model.coef_.ravel()
    n_rules = len(RULE_IDS)
    artifact = {
        "ngram_range": list(NGRAMS),
        "stop_words": STOP_WORDS,
        "dated_words": sorted(dated),
        "vocabulary": vocabulary,
        "rule_features": RULE_IDS,
        "rule_coef": [round(float(c), 6) for c in coef[:n_rules]],
        "word_coef": [round(float(c), 6) for c in coef[n_rules:]],
        "intercept": round(float(model.intercept_[0]), 6),
        **thresholds(oof, labels),
    }
    artifact["out_of_fold"] = out_of_fold(artifact, oof, labels, features, train)
    return artifact


def verdicts_phishing(artifact: dict[str, Any], oof: np.ndarray, features: Extracted) -> np.ndarray:
    """Which messages the shipped verdict calls phishing, given each one's findings and out-of-fold score: the
    rules' worst finding and PhishingModel.finding, exactly as triage combines them."""
    reader = PhishingModel(artifact)
    flagged = []
    for p, findings, vouched in zip(oof, features.findings, features.vouched, strict=True):
        extra = reader.finding(Opinion(float(p), ()), findings, vouched)
        worst = max((f.severity.rank for f in [*findings, *([extra] if extra else [])]), default=-1)
        flagged.append(worst >= Severity.HIGH.rank)
    return np.array(flagged)


def out_of_fold(
    artifact: dict[str, Any], oof: np.ndarray, labels: np.ndarray, features: Extracted, train: list[Sample]
) -> dict[str, Any]:
    """Figures on the training split from out-of-fold scores (5 group folds): the model's recall at 0.5 % FPR
    on the training ham, and the verdict's recall and FPR as PhishingModel.finding gives it, with and without
    the very-likely tier. The training ham is mostly 2002 mail; its modern part is reported on its own."""
    ham = np.sort(oof[labels == 0])[::-1]
    at = ham[int(0.005 * len(ham))]
    modern = np.array([s.group.startswith("modern/") for s in train])
    figures: dict[str, Any] = {
        "folds": "GroupKFold(5): modern ham by source repository, the rest in five interleaved groups",
        "phishing": int(labels.sum()),
        "ham": int((labels == 0).sum()),
        "modern_ham": int(modern.sum()),
        "roc_auc": round(float(roc_auc_score(labels, oof)), 5),
        "probability_recall_at_fpr_0.005": round(float(np.mean(oof[labels == 1] > at)), 4),
    }
    for name, very in (("verdict", artifact["threshold_very"]), ("verdict_without_very_likely", None)):
        phishing = verdicts_phishing({**artifact, "threshold_very": very}, oof, features)
        figures[name] = {
            "recall": round(float(np.mean(phishing[labels == 1])), 4),
            "fpr": round(float(np.mean(phishing[labels == 0])), 4),
            "modern_ham_called_phishing": int(np.sum(phishing & modern)),
        }
    return figures


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
    if args.manifest is not None and not args.manifest.is_file():  # without it modern ham cannot be split by source
        parser.error(f"--manifest {args.manifest}: no such file")
    samples = list(iter_all(args.phishing, args.ham, args.modern_ham, args.manifest, None))
    train, _ = split(samples)
    print(f"training on {len(train)} messages ({sum(s.label for s in train)} phishing)", file=sys.stderr)
    artifact = fit(train, extract(train, "features"))
    artifact = {
        "version": MODEL_VERSION,
        "heistguard": __version__,
        "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "algorithm": "scikit-learn LogisticRegression(C=0.5, class_weight=balanced) on rule features + binary words "
        "and word pairs (English, Portuguese, Spanish, German, French, Dutch and Italian function words dropped)",
        "training_data": {
            "phishing": "rf-peixoto/phishing_pot @ 8e207b5f, older 70% by collection order (CC BY-NC 4.0)",
            "ham_2002": "Apache SpamAssassin public corpus easy_ham_1/2 + hard_ham, older 70% by file order",
            "modern_ham": "modern_ham (24 public GitHub repositories), all but the held-out repositories",
            "counts": {"phishing": sum(s.label for s in train), "ham": sum(1 - s.label for s in train)},
            "traps": "victim token replaced; list/delivery headers dropped; era-dated words dropped; function words "
            "of every language dropped (the training ham is English)",
        },
        **artifact,
    }
    args.out.write_text(json.dumps(artifact, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(artifact['vocabulary'])} words)")
    print(f"dropped as era markers: {len(artifact['dated_words'])} words, e.g. {artifact['dated_words'][:12]}")
    print(f"thresholds: medium {artifact['threshold_medium']}, high {artifact['threshold_high']}, "
          f"very likely {artifact['threshold_very']}")  # fmt: skip
    print(f"out of fold on the training split: {json.dumps(artifact['out_of_fold'], indent=1)}")
    print("what it leans on (largest coefficients):")
    for name, weight in importances(artifact):
        print(f"  {weight:+.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
