"""Dump or compare the verdicts of `heistguard mail triage` over an mbox, to prove a speed change left them alone.

    python bench/mail_verdicts.py dump MBOX OUT.jsonl
    python bench/mail_verdicts.py compare BEFORE.jsonl AFTER.jsonl

One line per message: name, verdict, score, sorted rule ids, and a SHA-256 of the whole verdict document
(every finding's title, severity and evidence), so "identical" means identical down to the evidence text.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from heistguard.config import MailConfig
from heistguard.intel import IntelLookup, open_store
from heistguard.mail.context import MailContext
from heistguard.mail.model import load_model
from heistguard.mail.sources import iter_mbox
from heistguard.mail.triage import triage


def dump(mbox: Path, out: Path) -> int:
    store = open_store(Path(tempfile.mkdtemp(prefix="hg-mail-verdicts-")) / "store.duckdb", read_only=False)
    context = MailContext(MailConfig(), intel=IntelLookup(store))
    model = load_model()
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for item in iter_mbox(mbox):
            verdict = triage(item, context, model)
            row = {
                "name": verdict.input,
                "verdict": verdict.verdict,
                "score": verdict.score,
                "rules": sorted(f.rule_id for f in verdict.findings),
                "sha256": hashlib.sha256(verdict.model_dump_json().encode()).hexdigest(),
            }
            handle.write(json.dumps(row) + "\n")
            count += 1
    store.close()
    print(f"{count} verdicts written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    old = [json.loads(line) for line in before.read_text("utf-8").splitlines()]
    new = [json.loads(line) for line in after.read_text("utf-8").splitlines()]
    if len(old) != len(new):
        print(f"different message counts: {len(old)} before, {len(new)} after")
        return 1
    coarse = [a["name"] for a, b in zip(old, new, strict=True) if {**a, "sha256": ""} != {**b, "sha256": ""}]
    fine = [a["name"] for a, b in zip(old, new, strict=True) if a != b]
    print(f"{len(old)} messages: {len(coarse)} differ in verdict, score or rules; {len(fine)} differ in any detail")
    for name in fine[:20]:
        print("  differs:", name)
    return 1 if fine else 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "dump":
        return dump(Path(argv[1]), Path(argv[2]))
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
