"""The speed shortcuts change no result: case folding agrees with the regex engine, a pattern's needed words are
in every text it matches, and the model's own tokeniser gives the columns scikit-learn gives."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer

from heistguard.mail.features import _EMAIL, _QUOTED_LINE, TOKEN_PATTERN, addresses_replaced, has_quoted_line
from heistguard.mail.model import Terms
from heistguard.mail.rules import (
    html_smuggling,
    lure_account_action,
    lure_advance_fee,
    lure_callback,
    lure_coding_test,
    lure_investment,
    lure_prize,
    lure_recruiter,
    lure_token_claim,
    lure_urgent_wallet,
)
from heistguard.mail.rules._lures import _PHRASES, MAX_SCAN, hits, leftmost_first, phrases
from heistguard.mail.textscan import _literals, _satisfied, fold, needs, search
from tests.mail.build import mail, parsed

LURES = (
    lure_recruiter.PATTERN,
    lure_investment.PATTERN,
    lure_coding_test.PATTERN,
    lure_urgent_wallet.URGENT,
    lure_urgent_wallet.ACTION,
    lure_urgent_wallet.SECRET,
    lure_token_claim.PATTERN,
    lure_account_action.PATTERN,
    lure_prize.PATTERN,
    lure_advance_fee.STORY,
    lure_advance_fee.SUM,
    lure_callback.CHARGE,
    lure_callback.CALL,
)


def _cased() -> list[str]:
    """Every character with a case mapping, plus those the engine equates beyond lower-casing."""
    chars = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    return [c for c in chars if c.lower() != c or c.upper() != c or fold(c) != c]


def test_fold_keeps_length_and_agrees_with_ignorecase() -> None:
    cased = _cased()
    text = "".join(cased)
    assert len(fold(text)) == len(text)
    assert fold(text) == "".join(fold(c) for c in cased)  # character by character, context-free
    for c in cased:
        folded = fold(c)
        assert re.fullmatch(re.escape(folded), c, re.I), c  # the engine equates a character with its fold
        for other in {c.lower(), c.upper(), c.title(), folded.upper()}:
            if len(other) == 1 and re.fullmatch(re.escape(other), c, re.I):
                assert fold(other) == folded, (c, other)  # and whatever it equates folds alike


def test_tricky_letters_fold_like_the_engine_sees_them() -> None:
    assert fold("PİN ASAP") == "pin asap"
    assert fold("aſap") == fold("ASAP")  # long s is an s under IGNORECASE
    assert fold("\u212a") == "k"  # Kelvin sign
    assert fold("ΟΔΟΣ") == fold("οδος")


def test_needs_rule_out_texts_without_the_words() -> None:
    urgent = needs(lure_urgent_wallet.URGENT)
    assert not urgent.may_match(fold("Lunch at noon? The usual place."))
    assert urgent.may_match(fold("Please reply IMMEDIATELY"))
    assert needs(re.compile(r"\d+|[a-z]")).need is True  # nothing literal to require: never skipped


def test_literals_inside_other_literals_and_patterns_added_later_are_found() -> None:
    # One automaton pass finds every literal, including one that sits inside or overlaps another.
    nested = needs(re.compile(r"seed phrase(?:s)? leaked|phrase", re.I))
    assert nested.may_match(fold("your SEED PHRASE"))
    overlap = needs(re.compile(r"abcab.*bcabx", re.I))
    assert overlap.may_match(fold("xABCABx")) and not overlap.may_match(fold("abcab cabx"))
    text = fold("Contact the harbour master about mooring fees")
    assert not needs(lure_urgent_wallet.URGENT).may_match(text)  # the automaton is built and this text seen
    late = needs(re.compile(r"harbour\s+master", re.I))  # a new literal after that: the look-up is redone
    assert late.may_match(text)
    assert not late.may_match(fold("harbour pilot"))


def test_lure_hits_see_unicode_tricks_the_regex_sees() -> None:
    message = parsed(mail(subject="URGENT", text="Verify your ſeed phraſe, your walleT WİLL BE suspended.\n"))
    assert hits(lure_urgent_wallet.URGENT, message) == ["urgent", "wi̇ll be suspended"]
    assert hits(lure_urgent_wallet.SECRET, message) == ["ſeed phraſe"]
    assert hits(phrases((r"\bcoffee\b",)), message) == []


_WORDS = [
    "URGENT", "immediately", "asap", "wallet", "seed phrase", "recovery phrase", "interview", "salary", "job offer",
    "term sheet", "schedule a call", "npm install", "node app.js", "coding test", "24時間以内", "秘密鍵", "求人",
    "within 48 hours", "will be suspended", "unauthorized", "İ", "ſ", "\u212a", "ı", "Σ", "ς", "\u0130nterview",
    "lunch", " ", "\n", "-", ".", "a", "the", "your", "verify your account", "security alert",
    "claim your", "airdrop", "$SCR", "$scr", " tokens", "eligible for", "Konto", " wurde gesperrt", "conta",
    "bloqueada", "parabéns", "gift card", "7.5 million", "USD", "inheritance", "call us at", "renewed",
    "ǅ", "ﬁ", "ß", "パスワードの有効期限", "エアドロップ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.lists(st.booleans(), max_size=12))
def test_a_pattern_never_matches_what_its_needs_rule_out(words: list[str], upper: list[bool]) -> None:
    text = "".join(w.upper() if up else w for w, up in zip(words, upper + [False] * len(words), strict=False))
    for pattern in LURES:
        if pattern.search(text):
            assert needs(pattern).may_match(fold(text)), (pattern.pattern[:40], text)
            assert needs(pattern).occurs_in(fold(text)), (pattern.pattern[:40], text)
        fast, slow = search(pattern, text, fold(text)), pattern.search(text)
        assert (fast and fast.span()) == (slow and slow.span())


def test_terms_match_scikit_learn_on_tricky_unicode() -> None:
    documents = [
        "İstanbul STRASSE straße ǅemal ﬁnance café cafe\u0301 ΟΔΟΣ οδος ŉ",
        "wallet_seed 123abc abc123 a1b2c3 x y zz tokens-with-dashes emoji🙂word 你好世界 ウォレット",
        "KELVIN \u212aelvin naïve NAÏVE Ǆ ǆ ßß ÉCOLE école ﬀ ﬂow",
        "superlongwordthatexceedstwentyletters exactlytwentyletters twentyoneletterswords",
    ]
    vectorizer = CountVectorizer(binary=True, token_pattern=TOKEN_PATTERN, lowercase=True).fit(documents)
    vocabulary = list(vectorizer.get_feature_names_out())
    for document in documents:
        expected = CountVectorizer(vocabulary=vocabulary, binary=True, token_pattern=TOKEN_PATTERN, lowercase=True)
        assert Terms(vocabulary).columns(document) == list(expected.transform([document]).indices)
    assert Terms(["absent"]).columns("nothing known here") == []


def test_word_pairs_match_scikit_learn_with_stop_words_dropped_first() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    stop = sorted(ENGLISH_STOP_WORDS)
    documents = [
        "Please verify your account now: your account will be suspended. Verify account!",
        "Claim your staking rewards and connect your wallet to claim the airdrop",
        "Bitte bestätigen Sie Ihr Konto. Konto gesperrt, straße STRASSE",
        "we the of and",  # nothing but stop words: no terms at all
    ]
    terms = {"binary": True, "token_pattern": TOKEN_PATTERN, "stop_words": stop, "ngram_range": (1, 2)}
    vocabulary = list(CountVectorizer(**terms).fit(documents).get_feature_names_out())
    assert "verify account" in vocabulary and "claim airdrop" in vocabulary  # pairs form across dropped words
    expected = CountVectorizer(**terms, vocabulary=vocabulary)
    for document in documents:
        found = Terms(vocabulary, frozenset(stop), pairs=True).columns(document)
        assert found == list(expected.transform([document]).indices)


_ADDRESS_BITS = ["a", "bob", "x.y", "@", "@@", ".", "+", "-", "_", " ", "\n", "<", ">", "é", "١", "²", "例え", ".io"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_ADDRESS_BITS), max_size=30))
def test_addresses_are_replaced_as_the_regex_replaces_them(bits: list[str]) -> None:
    text = "".join(bits)
    assert addresses_replaced(text) == _EMAIL.sub(" addresstoken ", text)


def test_addresses_replaced_on_real_shapes() -> None:
    text = "From a@b.c.+x@y.z <jo.smith+tag@mail.example.co.jp>, not@valid, @lone, x@例え.テスト and b@c.d@e.f"
    assert addresses_replaced(text) == _EMAIL.sub(" addresstoken ", text)


def _plain_hits(pattern: re.Pattern[str], subject: str, text: str) -> list[str]:
    """What a theme's hits are by definition: every match of the whole pattern, no shortcut."""
    seen: dict[str, None] = {}
    for match in pattern.finditer(subject + "\n" + text[:MAX_SCAN]):
        seen.setdefault(" ".join(match.group(0).lower().split()), None)
    return list(seen)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=14))
def test_lure_hits_equal_the_whole_patterns_matches(words: list[str]) -> None:
    message = parsed(mail(subject="Hello", text=" ".join(words) + "\n"))
    for pattern in LURES:
        assert hits(pattern, message) == _plain_hits(pattern, message.subject, message.text)


_OVERLAPPING = ["ab", "abc", "b+c", r"\bca", "c a", "a(?:b|c)+", r"(?<=a)b", "ba?", "cab$"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_OVERLAPPING), min_size=1, max_size=5), st.text("abcABC \n", max_size=30))
def test_phrases_apart_match_as_the_joined_pattern_does(chosen: list[str], text: str) -> None:
    joined = re.compile("|".join(f"(?:{p})" for p in chosen), re.I)
    apart = [re.compile(f"(?:{p})", re.I) for p in chosen]
    expected = [(m.span(), m.group(0)) for m in joined.finditer(text)]
    assert [(m.span(), m.group(0)) for m in leftmost_first(apart, text)] == expected


_QUOTE_BITS = [">", "> ", "a", "b c", " ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "->", "x>y", "&gt;"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_QUOTE_BITS), max_size=16))
def test_quoted_line_check_agrees_with_the_regex(bits: list[str]) -> None:
    text = "".join(bits)
    assert has_quoted_line(text) == bool(_QUOTED_LINE.search(text))


_SMUGGLING_BITS = ["atob (", "new  Blob(", "URL.createObjectURL", "msSaveBlob", ".download =", "Uint8Array",
                   "charCodeAt(", ".click( )", "ſ", "K", " ", "x", "<script>", "download='a.exe'"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SMUGGLING_BITS), max_size=10), st.lists(st.booleans(), max_size=10))
def test_a_smuggling_marker_runs_whenever_it_can_match(bits: list[str], upper: list[bool]) -> None:
    text = "".join(b.upper() if up else b for b, up in zip(bits, upper + [False] * len(bits), strict=False))
    for marker, need in html_smuggling._MARKER_NEEDS:
        if marker.search(text):
            assert need.occurs_in(fold(text)), (marker.pattern, text)


_ALL_NEEDS = [need for parts in _PHRASES.values() for _, need in parts] + [needs(p) for p in LURES]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_clauses_say_what_the_requirement_tree_says(data: st.DataObject) -> None:
    need = data.draw(st.sampled_from(_ALL_NEEDS))
    literals = sorted(_literals(need.need))
    present = frozenset(data.draw(st.lists(st.sampled_from(literals or [""]), max_size=len(literals) + 1)))
    assert need.satisfied_by(present) == _satisfied(need.need, present)
