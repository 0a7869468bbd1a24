"""Messages per second: heistguard mail triage over an mbox of N messages, SpamAssassin on the same messages.

    python bench/mail_speed.py DIR... [--count 10000] [--spamassassin-sample 500] [--mbox OUT.mbox]

Builds one mbox from the .eml files under DIR... (cycled to --count messages), then triages it the way
`heistguard mail triage FILE.mbox` does (streamed, rules + model + intel store), reporting messages/s and
peak memory. SpamAssassin (spamd --local, 2 children, fed by spamc) scores the first
--spamassassin-sample messages of the same mbox: at its speed a 10,000-message run takes most of an hour.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from heistguard.config import MailConfig
from heistguard.intel import IntelLookup, open_store
from heistguard.mail.context import MailContext
from heistguard.mail.model import load_model
from heistguard.mail.sources import iter_mbox
from heistguard.mail.triage import triage


def build_mbox(dirs: list[Path], count: int, out: Path) -> int:
    files = sorted(p for d in dirs for p in d.rglob("*.eml"))
    if not files:
        raise SystemExit("no .eml files under " + ", ".join(map(str, dirs)))
    written = 0
    with out.open("wb") as mbox:
        while written < count:
            for path in files:
                if written == count:
                    break
                raw = path.read_bytes().replace(b"\r\n", b"\n")
                if raw.startswith(b"From "):  # a file that carries its own mbox envelope line
                    raw = raw.split(b"\n", 1)[1]
                # mboxrd: quote body lines that would read as a new message
                raw = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in raw.split(b"\n"))
                mbox.write(b"From heistguard@bench Thu Nov 26 00:00:00 2026\n" + raw.rstrip(b"\n") + b"\n\n")
                written += 1
    return written


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", type=Path, nargs="+", help="folders of .eml files (e.g. phishing_pot, ham)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--spamassassin-sample", type=int, default=500)
    parser.add_argument("--mbox", type=Path, help="keep the built mbox here")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="hg-mail-speed-"))
    mbox = args.mbox or workdir / "bench.mbox"
    count = build_mbox(args.dirs, args.count, mbox)
    size_mb = mbox.stat().st_size / 1e6
    print(f"mbox: {count} messages, {size_mb:.1f} MB ({mbox})")

    store = open_store(workdir / "store.duckdb", read_only=False)
    context = MailContext(MailConfig(), intel=IntelLookup(store))
    model = load_model()
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    verdicts: dict[str, int] = {}
    for item in iter_mbox(mbox):
        verdict = triage(item, context, model)
        verdicts[verdict.verdict] = verdicts.get(verdict.verdict, 0) + 1
    elapsed = time.perf_counter() - start
    store.close()
    rate = count / elapsed
    print(
        f"heistguard mail triage: {count} messages in {elapsed:.1f} s = {rate:.0f} messages/s "
        f"({size_mb / elapsed:.1f} MB/s), one process; peak RSS {peak_rss_mb():.0f} MB "
        f"(before triage {rss_before:.0f} MB); verdicts {dict(sorted(verdicts.items()))}"
    )

    if args.spamassassin_sample:
        import mail_spamassassin

        if not mail_spamassassin.available():
            print("SpamAssassin: not installed (apt-get install spamassassin); skipped")
            return 0
        readable = (item for item in iter_mbox(mbox) if not item.error)
        items = [item for _, item in zip(range(args.spamassassin_sample), readable, strict=False)]
        sample = [item.raw for item in items]
        store = open_store(workdir / "store.duckdb", read_only=True)
        context = MailContext(MailConfig(), intel=IntelLookup(store))
        start = time.perf_counter()
        for item in items:
            triage(item, context, model)
        ours = len(items) / (time.perf_counter() - start)
        store.close()
        with mail_spamassassin.spamd(children=2) as port:
            start = time.perf_counter()
            mail_spamassassin.scores(sample, port, parallel=2)
            sa_elapsed = time.perf_counter() - start
        sa_rate = len(sample) / sa_elapsed
        print(
            f"SpamAssassin {mail_spamassassin.version()} (spamd --local, 2 children, spamc): first {len(sample)} "
            f"of the same messages in {sa_elapsed:.1f} s = {sa_rate:.1f} messages/s"
        )
        print(f"heistguard on the same {len(items)} messages: {ours:.0f} messages/s, one process")
        print(f"heistguard / SpamAssassin throughput on the same messages: {ours / sa_rate:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
