"""What every detector shares: the file it looks at (`Target`), the scan's context and the
`Detector` record that binds a rule to its check and to its inert good and bad samples."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from heistguard.artifacts.filetype import Kind
from heistguard.artifacts.walk import Member
from heistguard.config import ArtifactsConfig
from heistguard.findings import Evidence, Finding, IndicatorRef, Location, Rule

# Text files larger than this are minified bundles or data, not hand-written lures; code rules
# still read them, but evidence lines are clipped.
_EVIDENCE_CHARS = 160


@dataclass
class Target:
    """One file as detectors see it: bytes, decoded text, its name inside the artifact, line lookup."""

    member: Member

    @property
    def path(self) -> str:
        return self.member.path

    @property
    def data(self) -> bytes:
        return self.member.data

    @cached_property
    def inner(self) -> str:
        """Its path inside the innermost tree or archive, '/'-separated: `package/package.json`."""
        return self.member.inner.rsplit("!", 1)[-1].replace("\\", "/")

    @cached_property
    def name(self) -> str:
        return self.inner.rsplit("/", 1)[-1].lower()

    @cached_property
    def suffix(self) -> str:
        return self.name.rsplit(".", 1)[-1] if "." in self.name else ""

    @property
    def kind(self) -> Kind:
        return self.member.filetype.kind

    @cached_property
    def is_text(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.SCRIPT, Kind.HTML, Kind.HTA, Kind.SVG)

    @cached_property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0, *(m.end() for m in re.finditer("\n", self.text))]

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset in `text`."""
        from bisect import bisect_right

        return bisect_right(self._line_starts, offset)

    def evidence(self, offset: int | None, text: str | None = None, logical: str | None = None) -> Evidence:
        """Evidence at a character offset (the line is quoted unless `text` is given)."""
        if offset is None:
            return Evidence(location=Location(path=self.path, logical=logical), text=_clip(text or ""))
        line = self.line_of(offset)
        if text is None:
            start = self._line_starts[line - 1]
            end = self.text.find("\n", start)
            quoted = self.text[start : end if end >= 0 else len(self.text)].strip()
            if len(quoted) > _EVIDENCE_CHARS:  # minified line: quote around the hit
                lo = max(offset - 60, start)
                quoted = "…" + self.text[lo : lo + _EVIDENCE_CHARS].strip() + "…"
            text = quoted
        return Evidence(location=Location(path=self.path, line=line, logical=logical), text=_clip(text))


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"`|;&)<>]+")


def urls_in(text: str) -> list[IndicatorRef]:
    """URLs a command or config names, as indicators the scanner looks up in the intel store."""
    return [IndicatorRef(type="url", value=url.rstrip(".,")) for url in dict.fromkeys(_URL_IN_TEXT.findall(text))][:10]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EVIDENCE_CHARS * 2 else text[: _EVIDENCE_CHARS * 2] + "…"


@dataclass
class ScanContext:
    """What one scan knows beyond the file: the profile's artifacts section."""

    config: ArtifactsConfig = field(default_factory=ArtifactsConfig)


@dataclass(frozen=True, slots=True)
class Sample:
    """An inert input a rule must fire on (bad) or stay silent on (good); `name` is its path in a tree."""

    name: str
    content: bytes
    note: str = ""


Check = Callable[[Target, ScanContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Detector:
    rule: Rule
    applies: Callable[[Target], bool]
    check: Check
    bad: tuple[Sample, ...]
    good: tuple[Sample, ...]
    sample_config: ArtifactsConfig | None = None  # the profile the samples assume, if any
    # Words one of which a file must contain for `check` to be worth running (none: always run).
    triggers: tuple[bytes, ...] = ()


JS_SUFFIXES = frozenset({"js", "cjs", "mjs", "jsx", "ts", "tsx", "cts", "mts"})
CODE_SUFFIXES = JS_SUFFIXES | {
    "py",
    "pyw",
    "sh",
    "bash",
    "zsh",
    "ps1",
    "bat",
    "cmd",
    "vbs",
    "rb",
    "pl",
    "php",
    "command",
}


def is_code(target: Target) -> bool:
    """Source code, by name or by what the bytes say (a script with a shebang and no extension)."""
    return target.is_text and (target.suffix in CODE_SUFFIXES or target.kind is Kind.SCRIPT)


def is_js(target: Target) -> bool:
    return target.is_text and target.suffix in JS_SUFFIXES


def is_python(target: Target) -> bool:
    return target.is_text and (
        target.suffix in ("py", "pyw")
        or (target.kind is Kind.SCRIPT and target.member.filetype.detail.startswith("python"))
    )
