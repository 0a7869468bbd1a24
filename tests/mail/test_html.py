"""HTML bodies read as a mail client renders them: visible text, links with their anchor text, forms."""

from __future__ import annotations

from heistguard.mail.message import html_to_text, parse_message

PAGE = """<html><head><title>Invoice 4471</title><style>p { color: red }</style>
<script>var lure = "<a href='https://script.example/'>not a link</a>";</script></head>
<body><p>Dear customer,<br>your wallet is <b>locked</b>.</p>
<div>Restore it here: <a href="https://wallet-restore.example/login?id=7">app.<i>uniswap</i>.org</a></div>
<!-- <a href="https://comment.example/">hidden</a> -->
<p>Fees &amp; charges &copy; 2025</p></body></html>"""


def test_visible_text_keeps_block_breaks_and_drops_head_script_and_style() -> None:
    text, _, _ = html_to_text(PAGE)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines == [
        "Dear customer,",
        "your wallet is locked.",
        "Restore it here: app.uniswap.org",
        "Fees & charges © 2025",
    ]
    assert "Invoice 4471" not in text and "color" not in text and "lure" not in text


def test_links_carry_their_anchor_text_and_nothing_from_scripts_or_comments() -> None:
    _, links, forms = html_to_text(PAGE)
    assert links == [("https://wallet-restore.example/login?id=7", "app.uniswap.org")]
    assert forms == []


def test_an_unclosed_anchor_is_closed_where_a_browser_closes_it() -> None:
    # A browser carries the open anchor into the next paragraph (HTML5's adoption of formatting elements), so
    # both runs of text lead to the target; the stdlib parser lost the link altogether.
    _, links, _ = html_to_text('<p>Sign in: <a href="http://198.51.100.7/o365/">Microsoft 365<p>Thanks')
    assert links == [("http://198.51.100.7/o365/", "Microsoft 365"), ("http://198.51.100.7/o365/", "Thanks")]


def test_empty_hrefs_are_not_links_and_frames_and_image_maps_are() -> None:
    markup = (
        '<a href="">nothing</a><a href="  https://spaced.example/  ">spaced</a>'
        '<iframe src="https://frame.example/embed"></iframe><area href="https://map.example/x">'
        '<img src="https://pixel.example/t.gif">'
    )
    _, links, _ = html_to_text(markup)
    assert links == [
        ("https://spaced.example/", "spaced"),
        ("https://frame.example/embed", ""),
        ("https://map.example/x", ""),
    ]


def test_form_targets_are_marked_when_the_page_asks_for_a_password() -> None:
    with_password = '<form action=" https://harvest.example/post "><input TYPE="Password" name="p"></form>'
    without = '<form action="https://news.example/subscribe"><input type="email"></form>'
    assert html_to_text(with_password)[2] == ["password:https://harvest.example/post"]
    assert html_to_text(without)[2] == ["https://news.example/subscribe"]


def test_hostile_markup_gives_what_can_be_read() -> None:
    assert html_to_text("") == ("", [], [])
    assert html_to_text("\x00<<</a>>>\x00")[1] == []
    deep = "<div>" * 20_000 + '<a href="https://deep.example/">deep</a>' + "</div>" * 20_000
    text, links, _ = html_to_text(deep)
    assert links == [("https://deep.example/", "deep")] and text.strip() == "deep"


def test_a_parsed_message_takes_text_and_links_from_its_html_part() -> None:
    raw = (
        b"From: Wallet Support <support@wallet-restore.example>\r\nTo: ops@firm.example\r\n"
        b"Subject: Action required\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + PAGE.encode()
    )
    message = parse_message(raw, "built.eml")
    assert "your wallet is locked." in message.text
    assert [(link.url, link.anchor, link.where) for link in message.links] == [
        ("https://wallet-restore.example/login?id=7", "app.uniswap.org", "html body")
    ]
