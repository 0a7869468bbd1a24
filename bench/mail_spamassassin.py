"""SpamAssassin side by side: Debian's spamd on loopback (local tests only, no network checks), fed with spamc.

spamd/spamc is SpamAssassin's own fast path (a preforked daemon, a small C client), so the comparison
is with SpamAssassin at its best on this machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


def available() -> bool:
    return bool(shutil.which("spamd") and shutil.which("spamc"))


def version() -> str:
    result = subprocess.run(["spamassassin", "--version"], capture_output=True, text=True, check=False)
    return result.stdout.split("\n", 1)[0].replace("SpamAssassin version ", "").strip() or "?"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_SPAMD_PIDS: dict[int, int] = {}  # port -> pid of the spamd listening there


def _cpu_of(pid: int) -> tuple[float, float, int]:
    """(user + system CPU seconds, the same of its children that ended and were waited for, parent pid) of one
    process, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick, int(fields[1])


def spamd_cpu_seconds(port: int) -> float:
    """CPU seconds used so far by the spamd on `port` and its preforked children (Linux /proc)."""
    parent = _SPAMD_PIDS[port]
    # spamd replaces a child after 200 messages: the children that ended count through the parent's own
    # account of them, the live ones by themselves.
    own, ended, _ = _cpu_of(parent)
    total = own + ended
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != parent:
            try:
                seconds, _, ppid = _cpu_of(int(entry))
            except (OSError, IndexError, ValueError):
                continue  # a process that ended while we looked
            if ppid == parent:
                total += seconds
    return total


@contextmanager
def spamd(children: int = 2) -> Iterator[int]:
    """Start spamd on a free loopback port with local tests only; yield the port."""
    port = _free_port()
    home = tempfile.mkdtemp(prefix="hg-spamd-")
    process = subprocess.Popen(
        ["spamd", "--local", "--nouser-config", "-i", "127.0.0.1", "-p", str(port), f"--max-children={children}",
         "--min-children", str(children), "-u", "nobody", "--helper-home-dir", home, "-s", "stderr", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("spamd did not start")
        _SPAMD_PIDS[port] = process.pid
        yield port
    finally:
        _SPAMD_PIDS.pop(port, None)
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def score(raw: bytes, port: int) -> float:
    """SpamAssassin's score for one message (spamc -c prints 'score/threshold')."""
    result = subprocess.run(
        ["spamc", "-c", "-d", "127.0.0.1", "-p", str(port), "-s", str(50 * 1024 * 1024)],
        input=raw,
        capture_output=True,
        timeout=120,
        check=False,
    )
    text = result.stdout.decode("ascii", "replace").strip()
    try:
        return float(text.split("/")[0])
    except ValueError:
        return float("nan")


def scores(messages: Sequence[bytes], port: int, parallel: int = 2) -> list[float]:
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda raw: score(raw, port), messages))
