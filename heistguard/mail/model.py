"""The learned model on top of the rules: a logistic regression over rule features and words, shipped as JSON.

JSON rather than a pickle: loading it runs no code, it diffs in review, and its coefficients are
its explanation. The artifact records its version, training data and measured figures.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from heistguard.errors import BadInput
from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.features import TOKEN_PATTERN, model_text, rule_features
from heistguard.mail.message import Message

MODEL_RULE = Rule(
    id="mail.model-phishing",
    severity=Severity.MEDIUM,
    title="learned model judges the message as phishing",
    rationale="A logistic regression trained on real phishing and modern legitimate mail weighs the rules' "
    "findings together with what the message asks for (its words), catching lures no single rule "
    "names. Its reasons are the features that pushed the score most. It makes a message phishing beside another "
    "rule's sign of deceit, or alone when very likely, but never alone on a notice the sender's domain "
    "authenticates and links only to itself.",
    attack=("T1566",),
)
ARTIFACT = "phishing-model.json"


@dataclass(frozen=True)
class Opinion:
    probability: float
    reasons: tuple[str, ...]  # the features that pushed the score up most


class PhishingModel:
    def __init__(self, artifact: dict[str, Any]) -> None:
        self.meta = artifact
        self.rule_ids: list[str] = list(artifact["rule_features"])
        self.vocabulary: list[str] = list(artifact["vocabulary"])
        self.rule_weights: list[float] = [float(w) for w in artifact["rule_coef"]]
        self.word_weights: list[float] = [float(w) for w in artifact["word_coef"]]
        self.intercept = float(artifact["intercept"])
        self.high = float(artifact["threshold_high"])
        self.medium = float(artifact["threshold_medium"])
        # "Very likely": a score so high that no legitimate training message reached it out of fold. A model
        # without one (version 2 and older) never calls mail phishing on its words alone.
        very = artifact.get("threshold_very")
        self.very = float(very) if very is not None else math.inf
        if self.very < self.high:
            raise ValueError("the model's very-likely threshold is below its likely threshold")
        # Derived at load time, not stored: the word -> column index the training vectorizer used.
        # Word pairs ("verify account") say what a message asks better than single words; a model trained on
        # them names its n-gram range and the stop words dropped before pairing, so reading needs no sklearn.
        pairs = tuple(artifact.get("ngram_range", (1, 1)))[-1] >= 2
        self.terms = Terms(self.vocabulary, frozenset(artifact.get("stop_words", ())), pairs)
        if not (len(self.rule_weights) == len(self.rule_ids) and len(self.word_weights) == len(self.vocabulary)):
            raise ValueError("the model's coefficients do not match its features")

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "?"))

    def opinion(self, message: Message, findings: list[Finding]) -> Opinion:
        rules = rule_features(findings, self.rule_ids)
        words = self.terms.columns(model_text(message))
        by_rule = [(w * x, rid) for rid, w, x in zip(self.rule_ids, self.rule_weights, rules, strict=True) if x]
        by_word = [self.word_weights[j] for j in words]
        logit = self.intercept + sum(by_word, sum(c for c, _ in by_rule))  # rules then words, as trained
        probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
        # The four largest positive contributions, named; names are built only for those that can be among them
        # (a message holds a few hundred known words, and naming each cost more than scoring them).
        fourth = heapq.nlargest(4, itertools.chain((c for c, _ in by_rule), by_word))[-1:] or [0.0]
        named = [(c, f"rule {rid}") for c, rid in by_rule if c >= fourth[0]]
        named += [(w, f"word '{self.vocabulary[j]}'") for j, w in zip(words, by_word, strict=True) if w >= fourth[0]]
        reasons = tuple(name for c, name in sorted(named, reverse=True)[:4] if c > 0)
        return Opinion(probability, reasons)

    def finding(self, opinion: Opinion, findings: Sequence[Finding] = (), vouched: bool = False) -> Finding | None:
        """The model's finding. With a rule's sign of deceit beside it (one medium or two low findings) a likely
        score makes it high, as does a likely score beside one low finding. Alone, a very likely score (one that
        about one legitimate training message in a thousand reached out of fold) makes it high, and a likely one
        low: worth a look, never a block. Alone on a `vouched` notice (the sender's domain authenticated, every
        link on it) it says nothing: its words cannot tell a real invoice from a fake one, and nothing else is
        off."""
        signs = [f for f in findings if f.severity.rank >= Severity.LOW.rank and f.rule_id != MODEL_RULE.id]
        alone = ""
        corroborated = any(f.severity.rank >= Severity.MEDIUM.rank for f in signs) or len(signs) >= 2
        if (corroborated and opinion.probability >= self.medium) or (signs and opinion.probability >= self.high):
            severity = Severity.HIGH
        elif vouched:
            return None
        elif opinion.probability >= self.very:
            severity, alone = Severity.HIGH, " (very likely on its own)"
        elif opinion.probability >= self.high:
            severity = Severity.LOW
        else:
            return None
        because = f"; leans on {', '.join(opinion.reasons)}" if opinion.reasons else ""
        return MODEL_RULE.finding(
            f"model {self.version}: phishing probability {opinion.probability:.2f}{alone}{because}", severity=severity
        )


_TOKEN = re.compile(TOKEN_PATTERN)


class Terms:
    """A vocabulary read as scikit-learn's binary CountVectorizer reads one document (lower-cased, TOKEN_PATTERN,
    stop words dropped, then words and, with `pairs`, adjacent word pairs), held as single words and as pairs
    of words so that the terms of a text are found by two set intersections, with no pair joined into a string."""

    def __init__(self, vocabulary: Sequence[str], stop_words: frozenset[str] = frozenset(), pairs: bool = False):
        self.words = {term: j for j, term in enumerate(vocabulary) if " " not in term}
        split = {tuple(term.split(" ")): j for j, term in enumerate(vocabulary) if " " in term}
        self.pairs = {pair: j for pair, j in split.items() if len(pair) == 2} if pairs else {}
        if len(self.words) + len(split) != len(vocabulary):
            raise ValueError("the model's vocabulary repeats a term")
        self.stop_words = stop_words

    def columns(self, text: str) -> list[int]:
        """Columns of the vocabulary terms present in `text`, ascending."""
        tokens = list(itertools.filterfalse(self.stop_words.__contains__, _TOKEN.findall(text.lower())))
        found = [self.words[word] for word in self.words.keys() & set(tokens)]
        if self.pairs:
            found += [self.pairs[pair] for pair in self.pairs.keys() & set(itertools.pairwise(tokens))]
        found.sort()
        return found


def load_model(path: Path | None = None) -> PhishingModel | None:
    """The shipped model (or the one at `path`); None when none is shipped."""
    if path is not None:
        try:
            return PhishingModel(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise BadInput("cannot load the mail model", str(path), str(exc)) from None
    return _shipped()


@functools.cache
def _shipped() -> PhishingModel | None:
    resource = resources.files("heistguard.mail.trained").joinpath(ARTIFACT)
    if not resource.is_file():
        return None
    return PhishingModel(json.loads(resource.read_text("utf-8")))
