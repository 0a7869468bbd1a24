"""mail.lookalike-letters: Latin words spelled with Cyrillic or Greek look-alikes, and silence on honest text in
those scripts, keyboard-layout slips included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.findings import Severity
from heistguard.mail.domains import LOOKALIKE_LETTERS
from heistguard.mail.rules import lookalike_letters
from heistguard.mail.rules.lookalike_letters import lookalike_words
from tests.mail.build import context, mail, parsed

# "Your account has been locked", with Cyrillic о and а, as 2025 Amazon-brand mail wrote its subject
LOCKED = "Y\u043eur \u0430cc\u043eunt h\u0430s been l\u043ecked"


def test_a_subject_spelled_with_cyrillic_letters_is_medium() -> None:
    (finding,) = lookalike_letters.check(parsed(mail(subject=LOCKED)), context())
    assert finding.severity is Severity.MEDIUM and "subject" in finding.title


def test_a_body_written_that_way_is_low() -> None:
    # extortion mail of 2024: "you have to send exactly $2000 to my bitcoin address", Cyrillic а, е, о, р
    text = (
        "Y\u043eu h\u0430v\u0435 t\u043e s\u0435nd \u0435x\u0430ctly $2000 t\u043e my bitc\u043ein \u0430ddr\u0435ss.\n"
    )
    (finding,) = lookalike_letters.check(parsed(mail(subject="Payment", text=text)), context())
    assert finding.severity is Severity.LOW and finding.title.startswith("6 words")


def test_honest_russian_greek_and_mixed_text_is_silent() -> None:
    russian = (
        "\u0421\u0440\u043e\u043a \u0434\u043e\u0433\u043e\u0432\u043e\u0440\u0430 "
        "\u0438\u0441\u0442\u0435\u043a\u0430\u0435\u0442. Zoom \u0432 10:00, \u0441\u043c. GitHub.\n"
    )
    slip = (  # one Latin c typed with the wrong keyboard layout
        "\u041c\u044b \u0432\u0441\u0442\u0440\u0435\u0442\u0438\u043c\u0441\u044f \u0432 c\u043e\u0440 "
        "\u0437\u0430\u043b\u0435.\n"
    )
    greek = (
        "\u039a\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1, \u03c4\u03bf meeting "
        "\u03b5\u03af\u03bd\u03b1\u03b9 \u03c3\u03c4\u03b9\u03c2 10.\n"
    )
    for text in (russian, slip, greek, "Plain English, caf\u00e9 and na\u00efve.\n"):
        assert lookalike_letters.check(parsed(mail(subject="Notes", text=text)), context()) == [], text


_WORD = re.compile(r"[^\W\d_]{3,}")


def _by_definition(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        latin = sum(1 for c in word if c.isascii())
        lookalike = sum(1 for c in word if c in LOOKALIKE_LETTERS)
        if lookalike and latin * 2 >= len(word) and latin + lookalike == len(word):
            out.append(word)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "o", "Y", "\u043e", "\u0430", "\u041c", "\u03bd", "\u0436", "\u00e9", " ",
                                 "1", "-"]), max_size=16).map("".join))  # fmt: skip
def test_the_quick_tests_never_hide_a_word(text: str) -> None:
    assert lookalike_words(text) == _by_definition(text)
