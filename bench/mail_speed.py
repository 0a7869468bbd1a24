"""Messages per second: heistguard mail triage over an mbox of N messages, SpamAssassin on the same messages.

    python bench/mail_speed.py DIR... [--count 10000] [--jobs 2] [--spamassassin-sample 300]
                                      [--spamassassin-pick spread|first] [--mbox OUT.mbox]

Builds one mbox from the .eml files under DIR... (cycled to --count messages), then triages it the way
`heistguard mail triage FILE.mbox` does (streamed, rules + model + intel store): in one process, and with
--jobs worker processes as `heistguard mail triage --jobs N` does, reporting messages/s and peak memory.
SpamAssassin (spamd --local, 2 children, fed by spamc: it uses both cores too) scores --spamassassin-sample
messages of the same mbox (at its speed a 10,000-message run takes most of an hour), spread evenly over it
by default, and heistguard is timed again on exactly those messages. Worker start-up (spawning, loading
the store and model) is timed apart, as spamd's start-up is, and both sides are warmed before timing.
CPU seconds a message are printed beside the rates: on a machine shared with other jobs they are the
figure that load does not skew.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from heistguard.config import MailConfig
from heistguard.intel import IntelLookup, open_store
from heistguard.mail.context import MailContext
from heistguard.mail.model import load_model
from heistguard.mail.parallel import TriagePool, WorkerSetup
from heistguard.mail.sources import MailItem, iter_mbox
from heistguard.mail.triage import freeze_loaded, triage


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


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def one_process(items: Iterable[MailItem], db: Path) -> tuple[int, float, dict[str, int], float]:
    """(messages, seconds, verdict counts, CPU seconds) for triage in this process."""
    store = open_store(db, read_only=True)
    context = MailContext(MailConfig(), intel=IntelLookup(store))
    model = load_model()
    freeze_loaded()  # as `mail triage` does before its batch
    counts: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    for item in items:
        verdict = triage(item, context, model)
        counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    store.close()
    return sum(counts.values()), elapsed, counts, cpu


def in_workers(pool: TriagePool, items: Iterable[MailItem]) -> tuple[int, float, dict[str, int]]:
    """(messages, seconds, verdict counts) for triage on the pool's worker processes."""
    counts: dict[str, int] = {}
    start = time.perf_counter()
    for _, verdict in pool.triage(items):
        counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
    return sum(counts.values()), time.perf_counter() - start, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dirs", type=Path, nargs="+", help="folders of .eml files (e.g. phishing_pot, ham)")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes, as `mail triage --jobs` (default 2)")
    parser.add_argument("--spamassassin-sample", type=int, default=300)
    parser.add_argument(
        "--spamassassin-pick",
        choices=("spread", "first"),
        default="spread",
        help="sample evenly spread over the mbox (default) or its first messages",
    )
    parser.add_argument("--mbox", type=Path, help="keep the built mbox here")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="hg-mail-speed-"))
    mbox = args.mbox or workdir / "bench.mbox"
    count = build_mbox(args.dirs, args.count, mbox)
    size_mb = mbox.stat().st_size / 1e6
    print(f"mbox: {count} messages, {size_mb:.1f} MB ({mbox})")
    print(f"start: {load()}")
    db = workdir / "store.duckdb"
    open_store(db, read_only=False).close()  # bundled intel loaded once; every reader opens it read-only

    rss_before = peak_rss_mb()
    done, elapsed, counts, cpu = one_process(iter_mbox(mbox), db)
    print(
        f"heistguard mail triage, one process: {done} messages in {elapsed:.1f} s = {done / elapsed:.0f} messages/s "
        f"({size_mb / elapsed:.1f} MB/s), {1000 * cpu / done:.2f} ms CPU a message; "
        f"peak RSS {peak_rss_mb():.0f} MB (before triage {rss_before:.0f} MB); "
        f"verdicts {dict(sorted(counts.items()))}"
    )
    setup = WorkerSetup(MailConfig(), db, online=False, use_model=True, model_path=None)
    sample: list[MailItem] = []
    sample_jobs = 0.0
    if args.spamassassin_sample:
        readable = [i for i, item in enumerate(iter_mbox(mbox)) if not item.error]
        step = max(1, len(readable) // args.spamassassin_sample) if args.spamassassin_pick == "spread" else 1
        wanted = set(readable[::step][: args.spamassassin_sample])
        sample = [item for i, item in enumerate(iter_mbox(mbox)) if i in wanted]

    with TriagePool(setup, args.jobs) as pool:
        start = time.perf_counter()
        pool.warm_up()
        startup = time.perf_counter() - start
        done, elapsed, counts = in_workers(pool, iter_mbox(mbox))
        print(
            f"heistguard mail triage --jobs {args.jobs}: {done} messages in {elapsed:.1f} s = "
            f"{done / elapsed:.0f} messages/s ({size_mb / elapsed:.1f} MB/s), after {startup:.1f} s of worker "
            f"start-up ({done / (elapsed + startup):.0f} messages/s counting it); "
            f"verdicts {dict(sorted(counts.items()))}"
        )
        if sample:
            _, sample_jobs, _ = in_workers(pool, sample)
    print(f"peak RSS: parent {peak_rss_mb():.0f} MB, largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")
    print(f"end: {load()}")

    if sample:
        import mail_spamassassin

        if not mail_spamassassin.available():
            print("SpamAssassin: not installed (apt-get install spamassassin); skipped")
            return 0
        _, sample_one, _, sample_cpu = one_process(sample, db)
        with mail_spamassassin.spamd(children=2) as port:
            # Warm both children (their first message compiles rules), as our workers are warmed before timing.
            mail_spamassassin.scores([item.raw for item in sample[:4]], port, parallel=2)
            sa_cpu = mail_spamassassin.spamd_cpu_seconds(port)
            start = time.perf_counter()
            mail_spamassassin.scores([item.raw for item in sample], port, parallel=2)
            sa_elapsed = time.perf_counter() - start
            sa_cpu = mail_spamassassin.spamd_cpu_seconds(port) - sa_cpu
        n = len(sample)
        sa_rate = n / sa_elapsed
        where = "spread evenly over the mbox" if args.spamassassin_pick == "spread" else "the first"
        print(
            f"SpamAssassin {mail_spamassassin.version()} (spamd --local, 2 children, spamc): {n} of the same "
            f"messages ({where}) in {sa_elapsed:.1f} s = {sa_rate:.1f} messages/s"
        )
        print(
            f"heistguard on the same {n} messages: {n / sample_one:.0f} messages/s in one process, "
            f"{n / sample_jobs:.0f} messages/s with --jobs {args.jobs}"
        )
        print(
            f"heistguard / SpamAssassin throughput on the same messages: {n / sample_jobs / sa_rate:.1f}x with "
            f"--jobs {args.jobs} (both on all cores), {n / sample_one / sa_rate:.1f}x in one process"
        )
        print(
            f"CPU a message on the same {n} (less moved by other jobs than the rates): heistguard "
            f"{1000 * sample_cpu / n:.2f} ms (one process), SpamAssassin {1000 * sa_cpu / n:.1f} ms (spamd and its "
            f"children): {sa_cpu / sample_cpu:.1f}x less CPU a message"
        )
        print(f"after SpamAssassin: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
