"""Domains as a reader sees them: the registrable domain, the host of a URL, and lookalikes of protected domains.

Lookalikes are found four ways: the permutations dnstwist generates (typos, bit flips,
homoglyphs, TLD swaps, ...), a Unicode-confusable skeleton of the name, edit distance on the
registrable label, and the protected name embedded in a longer one ("binance-support.com").
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import tldextract

_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled suffix list, never the network

# Letters from other scripts that render like Latin ones (a subset of Unicode TR39 confusables,
# chosen for what appears in IDN phishing domains), and ASCII digraphs that read as one letter.
_CONFUSABLE = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
        "ԁ": "d", "ɡ": "g", "һ": "h", "ո": "n", "ѕ": "s", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ʟ": "l",
        "ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "ρ": "p", "ϲ": "c", "ɑ": "a",
        "ı": "i", "ł": "l", "ø": "o", "ß": "b", "0": "o", "1": "l", "3": "e", "5": "s", "$": "s",
        "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ɴ": "n", "ᴍ": "m", "ꞵ": "b", "ｂ": "b",
    }
)  # fmt: skip
# Capitals of other scripts whose small letter looks nothing like the Latin one (Cyrillic М is a Latin M, its
# small м is not): folded before the text is lower-cased, as a display name shows them ("МetaMask").
_CONFUSABLE_CAPITALS = str.maketrans(
    {
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t",
        "Х": "x", "У": "y", "І": "i", "Ј": "j", "Ѕ": "s", "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h",
        "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "Ϲ": "c",
    }
)  # fmt: skip
# The letters of other scripts in those tables (Cyrillic, Greek, Armenian), which spell a Latin-looking word.
LOOKALIKE_LETTERS = frozenset(
    chr(code)
    for code in (*_CONFUSABLE, *_CONFUSABLE_CAPITALS)
    if chr(code).isalpha() and "LATIN" not in unicodedata.name(chr(code), "")
)
# Free mailbox providers (their own domains, from each provider's sign-up page, 2026-11): anyone can hold an
# address there, so a company, bank or brand writing from one is not who it says.
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "yahoo.co.jp", "yahoo.co.uk", "yahoo.fr", "yahoo.com.br", "ymail.com", "aol.com", "proton.me",
        "protonmail.com", "icloud.com", "me.com", "gmx.com", "gmx.net", "gmx.de", "web.de", "t-online.de",
        "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "zoho.com", "tutanota.com",
        "mail.com", "naver.com", "hotmail.fr", "outlook.fr", "orange.fr", "libero.it", "uol.com.br",
        "bol.com.br", "terra.com.br", "hotmail.co.uk", "outlook.de", "hotmail.de", "rediffmail.com",
    }
)  # fmt: skip
_DIGRAPHS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("nn", "m"))


@dataclass(frozen=True, slots=True)
class Lookalike:
    candidate: str  # the domain seen in the message (unicode form)
    protected: str  # the protected domain it imitates
    how: str  # "homoglyph", "typo (insertion)", "tld swap", "embedded brand", ...


def to_unicode(domain: str) -> str:
    labels = []
    for label in domain.lower().strip(".").split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def to_ascii(domain: str) -> str:
    try:
        return domain.lower().strip(".").encode("idna").decode("ascii")
    except UnicodeError:
        return domain.lower().strip(".")


@functools.lru_cache(maxsize=16384)  # every link rule asks about the same few hosts
def host_of(url: str) -> str:
    """The lower-case host of a URL ("" when it has none)."""
    value = url.strip()
    if value.lower().startswith("www."):
        value = "http://" + value
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


@functools.lru_cache(maxsize=16384)
def registrable(domain: str) -> str:
    """example.co.uk for mail.example.co.uk; the host itself when it has no public suffix (an IP, a local name)."""
    parts = _EXTRACT(to_ascii(domain))
    if not parts.domain or not parts.suffix:
        return domain.lower()
    return f"{parts.domain}.{parts.suffix}"


@functools.lru_cache(maxsize=16384)
def label_and_suffix(domain: str) -> tuple[str, str]:
    parts = _EXTRACT(to_ascii(domain))
    return to_unicode(parts.domain), parts.suffix


def skeleton(text: str) -> str:
    """What a name looks like: accents dropped, confusable letters folded, digraphs read as one letter."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text.translate(_CONFUSABLE_CAPITALS).lower()))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_CONFUSABLE)
    for digraph, letter in _DIGRAPHS:
        folded = folded.replace(digraph, letter)
    return folded.replace("-", "")


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, cut off above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # An edit adds or removes at most two letters from the set of letters used: a quick, exact lower bound.
    if len(set(a) ^ set(b)) > 2 * limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@functools.lru_cache(maxsize=256)
def _permutations(protected: str) -> dict[str, str]:
    """domain (ASCII) -> fuzzer name, from dnstwist's permutation engine."""
    import dnstwist

    fuzzer = dnstwist.Fuzzer(protected)
    fuzzer.generate()
    return {str(d["domain"]): str(d["fuzzer"]) for d in fuzzer.domains if d["fuzzer"] != "*original"}


class LookalikeFinder:
    """Compares domains against a fixed list of protected domains; reuse one for a batch."""

    def __init__(self, protected: Iterable[str], allowed: Iterable[str] = (), permuted: Iterable[str] = ()) -> None:
        # dnstwist's permutations cost ~0.3 s a domain, so they are generated for the firm's own list only.
        self.permuted = frozenset(registrable(d) for d in permuted if d)
        self.protected = tuple(sorted({registrable(d) for d in (*protected, *self.permuted) if d}))
        # The protected domains themselves and any the firm says are its own are never lookalikes.
        self.allowed = frozenset(self.protected) | {registrable(d) for d in allowed if d}
        self._labels = {p: label_and_suffix(p) for p in self.protected}
        self._skeletons = {p: skeleton(self._labels[p][0]) for p in self.protected}
        # Indexes that name the few protected domains a candidate can be near, so the tests run on those alone.
        self._order = {p: i for i, p in enumerate(self.protected)}
        self._by_label: dict[str, list[str]] = {}
        self._by_skeleton: dict[str, list[str]] = {}
        for p in self.protected:
            self._by_label.setdefault(self._labels[p][0], []).append(p)
            if len(self._labels[p][0]) >= 4:
                self._by_skeleton.setdefault(self._skeletons[p], []).append(p)
        self._long = tuple(
            (p, label, frozenset(label)) for p in self.protected if len(label := self._labels[p][0]) >= 5
        )

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one finder per run, the cache dies with it
    def check(self, domain: str) -> Lookalike | None:
        return self.against(domain)

    def against(self, domain: str, protected: Iterable[str] | None = None) -> Lookalike | None:
        """The first of `protected` (by default those the indexes name, which give the same answer as all of
        them) that `domain` imitates, and how."""
        if not domain or not self.protected:
            return None
        candidate = registrable(domain)
        if candidate in self.allowed or "." not in candidate:
            return None
        label, suffix = label_and_suffix(candidate)
        host = to_unicode(domain)
        shape = skeleton(label)
        for protected_domain in self._near(label, shape, host) if protected is None else protected:
            plabel, psuffix = self._labels[protected_domain]
            permuted = protected_domain in self.permuted
            fuzz = _permutations(protected_domain).get(to_ascii(candidate)) if permuted else None
            if fuzz:
                return Lookalike(to_unicode(candidate), protected_domain, f"permutation ({fuzz})")
            if label == plabel and suffix != psuffix:
                return Lookalike(to_unicode(candidate), protected_domain, "tld swap")
            if len(plabel) >= 4 and shape == self._skeletons[protected_domain]:
                return Lookalike(to_unicode(candidate), protected_domain, "homoglyph")
            if len(plabel) >= 5 and edit_distance(label, plabel, 2) <= (1 if len(plabel) < 9 else 2):
                return Lookalike(to_unicode(candidate), protected_domain, "edit distance")
            if len(plabel) >= 5 and _embeds(label, plabel, loose=permuted or len(plabel) >= 7):
                return Lookalike(to_unicode(candidate), protected_domain, "embedded brand")
            if host.startswith(protected_domain + ".") or f".{protected_domain}." in host:
                return Lookalike(host, protected_domain, "protected domain as a subdomain")
        return None

    def _near(self, label: str, shape: str, host: str) -> list[str]:
        """In order, the protected domains for which one of the tests in `against` can hold: the firm's own
        (permutations), the same label (TLD swap) or skeleton (homoglyph), a label near enough in length and
        letters to be within the edit distance or inside this one (embedded), and a run of the host's labels
        followed by a dot (subdomain)."""
        near = set(self.permuted)
        near.update(self._by_label.get(label, ()))
        near.update(self._by_skeleton.get(shape, ()))
        letters = frozenset(label)
        for p, plabel, pletters in self._long:  # edit_distance's own cut-offs at a distance of 2, or embedded
            if (abs(len(plabel) - len(label)) <= 2 and len(letters ^ pletters) <= 4) or plabel in label:
                near.add(p)
        labels = host.split(".")
        for start in range(len(labels)):
            for end in range(start + 1, len(labels)):
                if (run := ".".join(labels[start:end])) in self._order:
                    near.add(run)
        return sorted(near, key=self._order.__getitem__)


def _embeds(label: str, brand: str, loose: bool) -> bool:
    """True for binance-support and secure-binance; with `loose`, also binancewallet. Short brands that are
    also words ("crypto", "ledger") only count as a hyphenated word, or "cryptolab" would be a lookalike."""
    if brand not in label or label == brand:
        return False
    words = label.replace("_", "-").split("-")
    return brand in words or (loose and (label.startswith(brand) or label.endswith(brand)))
