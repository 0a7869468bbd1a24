"""Address headers: the plain-shape reader gives exactly what the stdlib's parseaddr gives, on any input."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heistguard.mail.message import parse_message, parsed_address

ATOM = st.text("abcXYZ019!#$%&'*+-/=?^_`{|}~", min_size=1, max_size=6)
SPACE = st.sampled_from([" ", "  ", "\t", "\r\n ", "\n\t"])
DOT_ATOM = st.lists(ATOM, min_size=1, max_size=3).map(".".join)
ADDR_SPEC = st.builds(lambda local, domain: f"{local}@{domain}", DOT_ATOM, DOT_ATOM)
WORD = st.text("abcXYZ019.-=?_!", min_size=1, max_size=8)


@st.composite
def plain_shapes(draw: st.DrawFn) -> str:
    """`local@domain` or `words <local@domain>` with the spacing folded headers have."""
    lead, trail = draw(st.sampled_from(["", " ", "\r\n "])), draw(st.sampled_from(["", " ", "\t"]))
    if draw(st.booleans()):
        return f"{lead}{draw(ADDR_SPEC)}{trail}"
    words = draw(st.lists(WORD, max_size=4))
    gaps = [draw(SPACE) for _ in words]
    display = "".join(w + g for w, g in zip(words, gaps, strict=True))
    if words and draw(st.booleans()):
        display = display.rstrip(" \t\r\n")  # "Name<addr>" with no space before the bracket
    return f"{lead}{display}<{draw(ADDR_SPEC)}>{trail}"


# Everything the stdlib parser treats specially, and characters beyond ASCII.
ANY_HEADER = st.text('aZ09.-_+@<> \t\r\n"(),:;[]\\!#=?é', max_size=40)


@settings(max_examples=400, deadline=None)
@given(plain_shapes())
def test_plain_shapes_read_as_the_stdlib_reads_them(value: str) -> None:
    assert parsed_address(value) == parseaddr(value)


@settings(max_examples=600, deadline=None)
@given(ANY_HEADER)
def test_any_value_reads_as_the_stdlib_reads_it(value: str) -> None:
    assert parsed_address(value) == parseaddr(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Binance <do-not-reply@binance.com>", ("Binance", "do-not-reply@binance.com")),
        ("J. Smith<j.smith@example.org>", ("J. Smith", "j.smith@example.org")),
        ('"Bybit Security" <security@bybit-verify.com>', ("Bybit Security", "security@bybit-verify.com")),
        ("hr@example.com (Recruiting)", ("Recruiting", "hr@example.com")),
        ("<>", ("", "")),
    ],
)
def test_known_shapes(value: str, expected: tuple[str, str]) -> None:
    assert parsed_address(value) == expected


def test_message_addresses_come_from_the_headers() -> None:
    raw = (
        b"From: =?utf-8?B?QmluYW5jZQ==?= <no-reply@binance.com>\r\n"
        b'Sender: "Mailer" <bounce@mailer.example>\r\n'
        b"Return-Path: <bounce@mailer.example>\r\n"
        b"Subject: hi\r\n\r\nbody\r\n"
    )
    message = parse_message(raw, "m.eml")
    assert message.sender_from is not None and message.sender is not None
    assert (message.sender_from.display, message.sender_from.address) == ("Binance", "no-reply@binance.com")
    assert (message.sender.display, message.sender.address) == ("Mailer", "bounce@mailer.example")
    assert message.return_path == "bounce@mailer.example"
