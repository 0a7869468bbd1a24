"""The mail corpora as training and evaluation see them: traps neutralised, split by time and by source.

Traps (see the corpora's SOURCES.md) and what is done about each:
- the phishing set's victim token `phishing@pot` is replaced by a neutral address everywhere;
- delivery and list headers (List-*, Delivered-To, the lfdr.de archiver hop, X-Mailman-*, ...) name the
  archive a message came through, not what it wants: they are dropped from every message, both classes;
- the 2002/2023 era gap: the model sees no dates, mailer names or header presence, and words whose
  frequency differs tenfold between 2002 ham and modern ham are dropped from its vocabulary;
- splits are by time (phishing by collection order) and by source repository (modern ham), never random.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

VICTIM = (b"phishing@pot", b"phishing%40pot", b"phishing=40pot")
NEUTRAL = b"recipient@example.com"
_SOURCE_HEADERS = re.compile(
    rb"^(?:List-[\w-]+|Delivered-To|X-Mailman-[\w-]+|Mailing-List|Precedence|X-Original-To|X-BeenThere|"
    rb"Archived-At|X-Mailing-List|X-Loop):[^\n]*\n(?:[ \t][^\n]*\n)*",
    re.I | re.M,
)
_ARCHIVER_HOP = re.compile(rb"^Received:[^\n]*\n(?:[ \t][^\n]*\n)*", re.M)

# modern_ham repositories held out for testing (whole sources, so no thread straddles the split);
# they hold the newsletters, the DMARC/TLS reports and three large list archives.
MODERN_TEST_REPOS = frozenset(
    {
        "linux-mailinglist-archives/openbmc.lists.ozlabs.org.0",
        "linux-mailinglist-archives/samba-technical.lists.samba.org.0",
        "linux-mailinglist-archives/kasan-dev.googlegroups.com.0",
        "dinosaure/blaze",
        "mjl-/mox",
        "KDE/mimetreeparser",
        "vayuvegula/newsletters",
        "coddingtonbear/django-mailbox",
    }
)


@dataclass(frozen=True)
class Sample:
    path: Path
    raw: bytes
    label: int  # 1 phishing, 0 legitimate
    group: str  # where it came from: "phishing", "ham-2002/easy_ham_1", "modern/<repo>", "built"
    kind: str  # modern_ham manifest kind, or the group


def neutralise(raw: bytes) -> bytes:
    for token in VICTIM:
        raw = raw.replace(token, NEUTRAL)
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, sep, body = raw.partition(b"\r\n\r\n")
    head = _SOURCE_HEADERS.sub(b"", head + b"\n")
    head = _ARCHIVER_HOP.sub(lambda m: b"" if b"lfdr.de" in m.group(0) else m.group(0), head)
    return head.rstrip(b"\n") + sep + body


def _number(path: Path) -> int:
    digits = re.findall(r"\d+", path.stem)
    return int(digits[-1]) if digits else 0


def phishing(root: Path) -> list[Sample]:
    """Phishing in collection order (sample-N, N ascending = Sep 2023 .. Jun 2025)."""
    files = sorted((p for p in root.rglob("*.eml")), key=_number)
    return [Sample(p, neutralise(p.read_bytes()), 1, "phishing", "phishing") for p in files]


def ham_2002(root: Path) -> list[Sample]:
    return [
        Sample(p, neutralise(p.read_bytes()), 0, f"ham-2002/{p.parent.name}", f"ham-2002/{p.parent.name}")
        for p in sorted(root.rglob("*.eml"))
    ]


def modern_ham(root: Path, manifest: Path | None) -> list[Sample]:
    """modern_ham with each message's source repository and kind from the manifest in modern_ham_SOURCES.md."""
    info: dict[str, tuple[str, str]] = {}
    if manifest is not None and manifest.exists():
        rows = [line for line in manifest.read_text("utf-8").splitlines() if line.startswith("modern_ham/")]
        for row in csv.reader(rows):
            info[row[0].split("/", 1)[1]] = (row[1], row[4])
    out = []
    for path in sorted(root.rglob("*.eml")):
        repo, kind = info.get(path.name, ("unknown", "unknown"))
        out.append(Sample(path, neutralise(path.read_bytes()), 0, f"modern/{repo}", kind))
    return out


def built(root: Path) -> list[Sample]:
    return [Sample(p, p.read_bytes(), 0, "built", p.stem.split("-")[0]) for p in sorted(root.rglob("*.eml"))]


def split(samples: list[Sample], train_fraction: float = 0.7) -> tuple[list[Sample], list[Sample]]:
    """Phishing and 2002 ham by order (older part trains), modern ham by source repository."""
    train: list[Sample] = []
    test: list[Sample] = []
    groups: dict[str, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(sample.group, []).append(sample)
    for group, members in groups.items():
        if group.startswith("modern/"):
            (test if group.removeprefix("modern/") in MODERN_TEST_REPOS else train).extend(members)
        elif group == "built":
            test.extend(members)  # hand-built modern ham is never trained on
        else:
            cut = int(len(members) * train_fraction)
            train.extend(members[:cut])
            test.extend(members[cut:])
    return train, test


def iter_all(
    phish_dir: Path, ham_dir: Path, modern_dir: Path | None, manifest: Path | None, built_dir: Path | None
) -> Iterator[Sample]:
    yield from phishing(phish_dir)
    yield from ham_2002(ham_dir)
    if modern_dir is not None:
        yield from modern_ham(modern_dir, manifest)
    if built_dir is not None:
        yield from built(built_dir)
