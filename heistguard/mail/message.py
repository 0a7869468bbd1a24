"""One e-mail message parsed into what the rules look at: decoded headers, addresses, text, links, attachments.

Parsing never opens an attachment in an application: attachments are bytes, typed by
`heistguard.artifacts.filetype.identify()`. Limits (parts, nesting depth, text size) keep a
hostile message from costing more than a normal one.
"""

from __future__ import annotations

import email
import email.policy
import functools
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message as EmailMessage
from email.utils import getaddresses, parseaddr

from selectolax.lexbor import LexborHTMLParser

from heistguard.artifacts.filetype import FileType, identify
from heistguard.mail.outlook import OutlookSender
from heistguard.mail.textscan import fold

MAX_PARTS = 500
MAX_DEPTH = 20
MAX_TEXT = 1_000_000  # characters of body text kept for rules and the model
# The phishing corpus replaces its victim's address with this token; it is not a feature of phishing.
ANONYMISED_VICTIM = "phishing@pot"

_URL_IN_TEXT = re.compile(r"""\b(?:https?://|hxxps?://|www\.)[^\s<>"'()\[\]{}]+""", re.I)
_TRAILING_PUNCT = ".,;:!?*'\""
# The shapes nearly every From, Sender and Return-Path takes, `local@domain` and `Words <local@domain>` with no
# quoting, comments, groups or lists: read by one regex (linear: words and spaces never overlap) rather than
# the stdlib's character-by-character address parser, which costs more than any rule. Anything else goes to it.
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+"
_ADDR_SPEC = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*"
_WORD = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+"  # a display-name word may hold dots ("J. Smith")
_PLAIN_ADDRESS = re.compile(
    rf"[ \t\r\n]*(?:({_ADDR_SPEC})|({_WORD}(?:[ \t\r\n]+{_WORD})*)?[ \t\r\n]*<({_ADDR_SPEC})>)[ \t\r\n]*"
)


@dataclass(frozen=True, slots=True)
class Address:
    display: str
    address: str

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower().rstrip(".>") if "@" in self.address else ""

    def __str__(self) -> str:
        return f"{self.display} <{self.address}>" if self.display else self.address


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    anchor: str  # the text a reader sees ("" for a bare URL in text)
    where: str  # "html body", "text body", "html attachment NAME"


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    content_type: str
    size: int
    sha256: str
    filetype: FileType
    data: bytes = field(repr=False)


@dataclass
class Message:
    """What the rules see of one message."""

    source: str
    raw: bytes
    raw_headers: list[tuple[str, str]]  # (name, value) as written, RFC 2047 words still encoded: read them decoded
    # through header() / headers_named(), which decode only what a rule asks for
    subject: str
    sender_from: Address | None
    reply_to: tuple[Address, ...]
    return_path: str
    sender: Address | None
    text: str
    html: str
    links: tuple[Link, ...]
    attachments: tuple[Attachment, ...]
    forms: tuple[str, ...]  # action targets of HTML forms, "password:" in front when the HTML asks for one
    defects: tuple[str, ...]
    outlook_sender: OutlookSender | None = None  # set by the .msg reader only (see `sources.read_msg`)
    _heads: dict[int, tuple[str, str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    # What several rules derive from the message alike (the authentication results), worked out once.
    derived: dict[tuple[object, ...], object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property
    def _by_name(self) -> dict[str, list[str]]:
        return header_index(self.raw_headers)

    def header(self, name: str) -> str | None:
        """The first header of that name, decoded; None when there is none."""
        values = self._by_name.get(name.lower())
        return decode_header_value(values[0]) if values else None

    def headers_named(self, name: str) -> list[str]:
        """Every header of that name in order, decoded."""
        return [decode_header_value(value) for value in self._by_name.get(name.lower(), ())]

    def head(self, limit: int) -> tuple[str, str]:
        """(subject, newline and the first `limit` characters of text; the same case-folded for the phrase
        pre-checks of `heistguard.mail.textscan`), built once per limit for all the rules that read the start
        of a message."""
        limit = min(limit, len(self.text))  # a text shorter than both limits has one head, built once
        if limit not in self._heads:
            head = f"{self.subject}\n{self.text[:limit]}"
            self._heads[limit] = (head, fold(head))
        return self._heads[limit]

    @property
    def from_domain(self) -> str:
        return self.sender_from.domain if self.sender_from else ""


def header_index(raw_headers: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Lower-cased header name -> its values in order."""
    index: dict[str, list[str]] = {}
    for key, value in raw_headers:
        index.setdefault(key.lower(), []).append(value)
    return index


def decode_header_value(value: str) -> str:
    """An RFC 2047 header decoded to text; undecodable words are kept as written."""
    value = str(value)
    if "=?" not in value:
        return " ".join(value.split())
    return _decode_encoded_words(value)


@functools.lru_cache(maxsize=4096)  # the same Subject and From are decoded more than once per message
def _decode_encoded_words(value: str) -> str:
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (LookupError, ValueError, UnicodeError, AssertionError):
        return " ".join(value.split())


def parsed_address(value: str) -> tuple[str, str]:
    """`email.utils.parseaddr(value)`, the plain shapes read without the stdlib's parser."""
    match = _PLAIN_ADDRESS.fullmatch(value) if value.isascii() else None
    if match is None:
        return parseaddr(value)
    bare, words, routed = match.groups()
    if bare is not None:
        return "", bare
    return " ".join(words.split()) if words else "", routed


def _address(value: object) -> Address | None:
    if not value:
        return None
    display, addr = parsed_address(str(value))
    if not addr and not display:
        return None
    return Address(decode_header_value(display), addr.strip())


def _addresses(values: list[str]) -> tuple[Address, ...]:
    out = []
    for display, addr in getaddresses(values):
        if addr:
            out.append(Address(decode_header_value(display), addr.strip()))
    return tuple(out)


_BLOCKS = "br, p, div, tr, li, td, h1, h2, h3"  # each starts a new line of text
_HIDDEN = ["script", "style", "title"]  # markup whose text no reader sees in the body
_LINKING = "a[href], iframe, area, form, input"  # elements whose attributes are read


def html_to_text(markup: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """Visible text, (href, anchor) pairs and form actions of HTML; broken HTML gives what could be read.
    A form action is prefixed with "password:" when the HTML has a password field.

    Parsed by lexbor (through selectolax), an HTML5 parser: it builds the tree a browser or mail client
    builds from the same broken markup, so an unclosed anchor or a stray tag hides nothing from us, and it
    is about eight times faster than the stdlib parser on mail bodies."""
    tree = LexborHTMLParser(markup[:MAX_TEXT])
    root = tree.root
    if root is None:
        return "", [], []
    tree.strip_tags(_HIDDEN)
    for block in tree.css(_BLOCKS):
        block.insert_before("\n")
    links: list[tuple[str, str]] = []
    forms: list[str] = []
    password = False
    for node in tree.css(_LINKING):
        attributes = node.attributes
        tag = node.tag
        if tag == "a":
            href = (attributes.get("href") or "").strip()
            if href:
                links.append((href, " ".join(node.text().split())))
        elif tag == "form":
            forms.append((attributes.get("action") or "").strip())
        elif tag == "input":
            password = password or (attributes.get("type") or "").strip().lower() == "password"
        else:  # iframe, area: they lead somewhere without anchor text
            target = (attributes.get("href") or attributes.get("src") or "").strip()
            if target.startswith("http"):
                links.append((target, ""))
    if password:
        forms = [f"password:{f}" for f in forms]
    return root.text(), links, forms


def urls_in_text(text: str) -> list[str]:
    out = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCT)
        if url.lower().startswith("hxxp"):
            url = "http" + url[4:]
        out.append(url)
    return out


def _charset_text(part: EmailMessage, payload: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", "replace")


def _may_name(value: object) -> bool:
    """False when a header (absent, or plain text) cannot hold a filename or name parameter."""
    return value is not None and (not isinstance(value, str) or "name" in value.lower())


def _filename(part: EmailMessage) -> str | None:
    try:
        name = part.get_filename()
    except (TypeError, ValueError, LookupError, UnicodeError):
        return None
    return decode_header_value(name) if name else None


def _payload(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (TypeError, ValueError, LookupError, UnicodeError, AssertionError):
        return b""
    return data if isinstance(data, bytes) else b""


def parse_message(raw: bytes, source: str, outlook_sender: OutlookSender | None = None) -> Message:
    """Parse RFC 822 bytes. Malformed structure is recorded in `defects`, never raised."""
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    raw_headers = [(str(k), str(v)) for k, v in parsed.items()]
    # One pass over the headers: the stdlib's get() lower-cases every header name on each call.
    named = header_index(raw_headers)
    texts: list[str] = []
    htmls: list[str] = []
    links: list[Link] = []
    forms: list[str] = []
    attachments: list[Attachment] = []
    defects: list[str] = [type(d).__name__ for d in parsed.defects]

    def walk(part: EmailMessage, depth: int) -> None:
        nonlocal_count[0] += 1
        if nonlocal_count[0] > MAX_PARTS:
            if "too many parts" not in defects:
                defects.append("too many parts")
            return
        if depth > MAX_DEPTH:
            if "nested too deep" not in defects:
                defects.append("nested too deep")
            return
        defects.extend(type(d).__name__ for d in part.defects if part is not parsed)
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                for child in children:
                    if isinstance(child, EmailMessage):
                        walk(child, depth + 1)
            return
        ctype = part.get_content_type()
        raw_disposition = part.get("Content-Disposition")
        # get_filename() reads a filename= or name= parameter: headers without the word hold neither
        filename = _filename(part) if _may_name(raw_disposition) or _may_name(part.get("Content-Type")) else None
        disposition = str(raw_disposition or "").lower()
        data = _payload(part)
        if filename or "attachment" in disposition or not ctype.startswith(("text/", "multipart/")):
            name = filename or f"(unnamed {ctype})"
            attachments.append(
                Attachment(
                    name=name,
                    content_type=ctype,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    filetype=identify(data),
                    data=data,
                )
            )
            return
        body = _charset_text(part, data)
        if ctype == "text/html":
            htmls.append(body)
            visible, pairs, actions = html_to_text(body)
            texts.append(visible)
            links.extend(Link(href, anchor, "html body") for href, anchor in pairs)
            forms.extend(actions)
        else:
            texts.append(body)
            links.extend(Link(url, "", "text body") for url in urls_in_text(body))

    nonlocal_count = [0]
    walk(parsed, 0)
    text = html.unescape("\n".join(texts))[:MAX_TEXT]
    seen: set[tuple[str, str]] = set()
    unique_links = []
    for link in links:
        if (link.url, link.anchor) not in seen:
            seen.add((link.url, link.anchor))
            unique_links.append(link)
    message = Message(
        source=source,
        raw=raw,
        raw_headers=raw_headers,
        subject=decode_header_value(_first(named, "subject") or ""),
        sender_from=_address(_first(named, "from")),
        reply_to=_addresses(named.get("reply-to", [])),
        return_path=(parsed_address(_first(named, "return-path") or "")[1] or "").strip(),
        sender=_address(_first(named, "sender")),
        text=text,
        html="\n".join(htmls)[:MAX_TEXT],
        links=tuple(unique_links),
        attachments=tuple(attachments),
        forms=tuple(forms),
        defects=tuple(dict.fromkeys(defects)),
        outlook_sender=outlook_sender,
    )
    message.__dict__["_by_name"] = named  # the cached index, already built
    return message


def _first(named: dict[str, list[str]], name: str) -> str | None:
    values = named.get(name)
    return values[0] if values else None
