"""Evaluate the mail guard on a split by time, with SpamAssassin on the same messages in the same run.

    python bench/mail_eval.py HAM_DIR PHISH_DIR [--modern-ham DIR --manifest modern_ham_SOURCES.md]
                              [--built tests/fixtures/mail/modern_legit] [--no-spamassassin]

Trains exactly as bench/mail_train.py does on the older part (phishing by collection order, 2002 ham by
file order, modern ham by source repository), then scores the newer part: the shipped verdict
(phishing = positive), the model's probability and the rules' score, and SpamAssassin's score.
Prints precision, recall, false-positive rate and ROC AUC, recall at a false-positive rate of 0.5 %
on the test ham, and the false-positive rate per kind of legitimate mail.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from mail_corpus import iter_all, split
from mail_train import extract, fit, importances
from sklearn.metrics import roc_auc_score

from heistguard import __version__
from heistguard.config import MailConfig
from heistguard.findings import score_of, verdict_of
from heistguard.mail.authentication import vouched_notice
from heistguard.mail.context import MailContext
from heistguard.mail.message import parse_message
from heistguard.mail.model import PhishingModel
from heistguard.mail.triage import VERDICT_WORDS, rule_findings

TARGET_FPR = 0.005


def _rates(labels: np.ndarray, flagged: np.ndarray) -> tuple[float, float, float]:
    tp = int(np.sum(flagged & (labels == 1)))
    fp = int(np.sum(flagged & (labels == 0)))
    precision = tp / max(tp + fp, 1)
    recall = tp / max(int(np.sum(labels == 1)), 1)
    fpr = fp / max(int(np.sum(labels == 0)), 1)
    return precision, recall, fpr


def _at_fpr(labels: np.ndarray, scores: np.ndarray, target: float) -> tuple[float, float, float]:
    """(threshold, recall, fpr) for the lowest threshold whose FPR on the ham is <= target."""
    ham = np.sort(scores[labels == 0])[::-1]
    allowed = int(np.floor(target * len(ham)))
    threshold = ham[allowed] if allowed < len(ham) else -np.inf
    flagged = scores > threshold
    _, recall, fpr = _rates(labels, flagged)
    return float(threshold), recall, fpr


# A few function words per language: enough to tell which language a message is written in, to report recall
# per language (the phishing corpus comes from a Brazilian honeypot; the ham is mostly English).
_FUNCTION_WORDS = {
    "en": {"the", "and", "you", "your", "for", "with", "this", "that", "are", "have"},
    "pt": {"você", "para", "com", "não", "uma", "seu", "sua", "pelo", "está", "dos"},
    "es": {"usted", "para", "con", "una", "los", "las", "del", "por", "está", "su"},
    "de": {"und", "sie", "der", "die", "das", "ist", "nicht", "mit", "ihr", "ihre"},
    "fr": {"vous", "votre", "les", "des", "pour", "avec", "est", "une", "dans", "sur"},
    "nl": {"een", "het", "van", "voor", "niet", "met", "je", "jouw", "uw", "zijn"},
}
_WORD = re.compile(r"[^\W\d_]+")


def language_of(text: str) -> str:
    words = _WORD.findall(text[:5000].lower())
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best if counts[best] >= 3 else "other"


def _line(name: str, labels: np.ndarray, flagged: np.ndarray, scores: np.ndarray) -> str:
    precision, recall, fpr = _rates(labels, flagged)
    finite = np.nan_to_num(scores, nan=-1.0)
    auc = roc_auc_score(labels, finite)
    _, recall_at, fpr_at = _at_fpr(labels, finite, TARGET_FPR)
    return (
        f"{name:<34} {precision:>9.4f} {recall:>7.4f} {fpr:>7.4f} {auc:>8.4f}   "
        f"recall {recall_at:.4f} at FPR {fpr_at:.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ham_dir", type=Path, help="SpamAssassin ham folder (easy_ham_1, easy_ham_2, hard_ham)")
    parser.add_argument("phish_dir", type=Path, help="phishing_pot folder (sample-N.eml)")
    parser.add_argument("--modern-ham", type=Path, help="modern_ham folder")
    parser.add_argument("--manifest", type=Path, help="modern_ham_SOURCES.md")
    parser.add_argument("--built", type=Path, help="hand-built modern legitimate mail (test side only)")
    parser.add_argument("--no-spamassassin", action="store_true")
    parser.add_argument("--dump", type=Path, help="write per-message scores and findings here (JSON lines)")
    parser.add_argument(
        "--spamassassin-cache", type=Path, help="JSON file of SpamAssassin scores by sha256, read and extended"
    )
    args = parser.parse_args(argv)
    if args.manifest is not None and not args.manifest.is_file():  # without it modern ham cannot be split by source
        parser.error(f"--manifest {args.manifest}: no such file")

    samples = list(iter_all(args.phish_dir, args.ham_dir, args.modern_ham, args.manifest, args.built))
    train, test = split(samples)
    print(f"heistguard {__version__}; train {len(train)} ({sum(s.label for s in train)} phishing), "
          f"test {len(test)} ({sum(s.label for s in test)} phishing)")  # fmt: skip
    artifact = {"version": "eval", **fit(train, extract(train, "train features"))}
    model = PhishingModel(artifact)

    context = MailContext(MailConfig())
    labels = np.array([s.label for s in test])
    verdict_words, probabilities, rule_scores, languages = [], [], [], []
    dump = args.dump.open("w") if args.dump else None
    for sample in test:
        message = parse_message(sample.raw, str(sample.path))
        findings = rule_findings(message, context)
        opinion = model.opinion(message, findings)
        extra = model.finding(opinion, findings, vouched_notice(message))
        verdict = verdict_of(str(sample.path), "mail", [*findings, *([extra] if extra else [])], VERDICT_WORDS)
        verdict_words.append(verdict.verdict)
        probabilities.append(opinion.probability)
        rule_scores.append(score_of(findings))
        languages.append(language_of(message.subject + "\n" + message.text))
        if dump is not None:
            record = {"path": str(sample.path), "label": sample.label, "kind": sample.kind, "group": sample.group,
                      "p": opinion.probability, "severities": [f.severity.rank for f in findings],
                      "rules": [f.rule_id for f in findings], "verdict": verdict.verdict}  # fmt: skip
            dump.write(json.dumps(record) + "\n")
    words = np.array(verdict_words)
    probability = np.array(probabilities)
    rules = np.array(rule_scores, dtype=float)

    sa = None
    if not args.no_spamassassin:
        import mail_spamassassin

        cache: dict[str, float] = {}
        if args.spamassassin_cache and args.spamassassin_cache.exists():
            cache = json.loads(args.spamassassin_cache.read_text())
        keys = [hashlib.sha256(s.raw).hexdigest() for s in test]
        missing = [i for i, k in enumerate(keys) if k not in cache]
        if missing and mail_spamassassin.available():
            print(f"SpamAssassin: scoring {len(missing)} test messages through spamd --local ...", file=sys.stderr)
            with mail_spamassassin.spamd() as port:
                fresh = mail_spamassassin.scores([test[i].raw for i in missing], port)
            cache.update({keys[i]: value for i, value in zip(missing, fresh, strict=True)})
            if args.spamassassin_cache:
                args.spamassassin_cache.write_text(json.dumps(cache))
        if not missing or mail_spamassassin.available():
            print(f"SpamAssassin {mail_spamassassin.version()}: {len(test)} messages scored "
                  f"({len(test) - len(missing)} from the cache)")  # fmt: skip
            sa = np.array([cache[k] for k in keys])
        else:
            print("SpamAssassin: spamd/spamc not installed (apt-get install spamassassin); skipped")

    print(
        f"\n{'scorer (test split, positive = phishing)':<34} {'precision':>9} {'recall':>7} {'FPR':>7} {'ROC AUC':>8}"
    )
    print(_line("heistguard verdict = phishing", labels, words == "phishing", probability))
    print(_line("heistguard verdict != clean", labels, words != "clean", probability))
    print(_line("heistguard rules only (score>=50)", labels, rules >= 50, rules))
    if sa is not None:
        print(_line("SpamAssassin (score>=5.0)", labels, np.nan_to_num(sa, nan=-1) >= 5.0, sa))
    print(f"(last column: recall at the threshold where FPR on the test ham is <= {TARGET_FPR:.1%}; "
          "AUC for heistguard verdicts is the model probability's)")  # fmt: skip

    print("\nrecall per language of the test phishing (verdict = phishing; model probability at the 0.5 % FPR point):")
    threshold, _, _ = _at_fpr(labels, probability, TARGET_FPR)
    langs = np.array(languages)
    for lang in sorted(set(langs[labels == 1]), key=lambda x: -int(np.sum((langs == x) & (labels == 1)))):
        chosen = (langs == lang) & (labels == 1)
        print(f"  {lang:<6} n={int(chosen.sum()):<5} verdict {np.mean(words[chosen] == 'phishing'):.3f}   "
              f"model {np.mean(probability[chosen] > threshold):.3f}")  # fmt: skip
    print("\nfalse-positive rate per kind of legitimate test mail (verdict = phishing / != clean):")
    kinds: dict[str, list[int]] = defaultdict(list)
    for index, sample in enumerate(test):
        if sample.label == 0:
            kinds[sample.kind if not sample.group.startswith("ham-2002") else sample.group].append(index)
    for kind, members in sorted(kinds.items()):
        chosen = words[members]
        sa_part = ""
        if sa is not None:
            sa_part = f"   SpamAssassin>=5: {np.mean(np.nan_to_num(sa[members], nan=0) >= 5.0):.3f}"
        print(f"  {kind:<28} n={len(members):<5} phishing {np.mean(chosen == 'phishing'):.3f}   "
              f"not clean {np.mean(chosen != 'clean'):.3f}{sa_part}")  # fmt: skip
    fps = [test[i] for i in range(len(test)) if labels[i] == 0 and words[i] == "phishing"]
    if fps:
        print("legitimate messages called phishing:", ", ".join(str(s.path.name) for s in fps[:20]))
    print("\nwhat the model leans on (largest coefficients):")
    for name, weight in importances(artifact, 20):
        print(f"  {weight:+.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
