"""What archive attachments cost the mail guard: the safe walk's listing mode (what mail uses) beside a
full walk (what the artifact scanner does) on the same archives, and whole-message triage of a zip bomb.

    python bench/mail_archives.py [--repeat 20]

Every archive is built in memory here (honest shapes: documents, source files, a large CSV, photos, a
nested archive; hostile ones: a 200 MiB zip bomb, a nested bomb, 5,000 members). Prints milliseconds
per archive, best of --repeat runs, and how many members each mode saw.
"""

from __future__ import annotations

import argparse
import email.policy
import io
import os
import random
import time
import zipfile
from collections.abc import Callable
from email.message import EmailMessage

from heistguard.artifacts import walk
from heistguard.artifacts.filetype import FileType, identify
from heistguard.config import MailConfig
from heistguard.findings import Verdict
from heistguard.mail import attachments
from heistguard.mail.context import MailContext
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import triage

MiB = 1024 * 1024


def _zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _text(rng: random.Random, size: int) -> bytes:
    words = [bytes(rng.choice(b"abcdefghijklmnop") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + b" "
    return bytes(out[:size])


def shapes() -> dict[str, bytes]:
    rng = random.Random(7)
    bomb = _zip({"readme.txt": b"see invoice\n", "invoice.bin": b"\0" * (200 * MiB)})
    return {
        "3 PDFs, 150 KB each": _zip({f"doc{i}.pdf": b"%PDF-1.7\n" + _text(rng, 150_000) for i in range(3)}),
        "50 source files": _zip({f"src/f{i}.py": b"import os\n" + _text(rng, 4000) for i in range(50)}),
        "5 MB CSV": _zip({"export.csv": _text(rng, 5 * MiB)}),
        "5 photos, 300 KB each": _zip({f"p{i}.jpg": b"\xff\xd8\xff\xe0" + os.urandom(300_000) for i in range(5)}),
        "zip in a zip (3 PDFs)": _zip({"inner.zip": _zip({f"d{i}.pdf": b"%PDF-1.7\n" + _text(rng, 150_000)
                                                          for i in range(3)})}, zipfile.ZIP_STORED),
        "zip bomb, 200 MiB of zeros": bomb,
        "nested bomb (bomb in a zip)": _zip({"invoice.zip": bomb}, zipfile.ZIP_STORED),
        "5,000 members": _zip({f"f{i}.txt": b"x" * 100 for i in range(5000)}),
    }  # fmt: skip


def message(name: str, data: bytes) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"], msg["To"], msg["Subject"] = "Bob <bob@partner.example.org>", "aiko@example.com", "Invoice"
    msg.set_content("Please see the invoice.\n")
    msg.add_attachment(data, maintype="application", subtype="zip", filename=name)
    return msg.as_bytes()


def best_ms(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"{'archive':30} {'bytes':>10} {'listing ms':>11} {'members':>8} {'full walk ms':>13} {'members':>8}")
    for name, data in shapes().items():
        filetype = identify(data)

        def listing(data: bytes = data, filetype: FileType = filetype) -> list[walk.Member | walk.Problem]:
            return list(walk.walk_bytes("a.zip", data, attachments.LIMITS, filetype))

        def full(data: bytes = data) -> list[walk.Member | walk.Problem]:
            return list(walk.walk_bytes("a.zip", data))

        counts = [sum(1 for i in run() if isinstance(i, walk.Member) and i.depth) for run in (listing, full)]
        print(
            f"{name:30} {len(data):>10,} {best_ms(listing, args.repeat):>11.2f} {counts[0]:>8}"
            f" {best_ms(full, args.repeat):>13.2f} {counts[1]:>8}"
        )
    context = MailContext(MailConfig())
    bomb = shapes()["nested bomb (bomb in a zip)"]
    raw = message("invoice.zip", bomb)

    def judge() -> Verdict:
        attachments._listing.cache_clear()  # each run lists the archive afresh
        return triage(MailItem("bomb.eml", raw), context)

    verdict = judge()
    ms = best_ms(judge, args.repeat)
    ids = sorted({f.rule_id for f in verdict.findings})
    print(f"\ntriage of a message carrying the nested bomb: {ms:.2f} ms, verdict {verdict.verdict}, {ids}")


if __name__ == "__main__":
    main()
