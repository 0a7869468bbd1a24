"""Worker processes: messages go out in bounded batches and come back in input order with the verdicts one
process gives."""

from __future__ import annotations

from pathlib import Path

from heistguard.config import MailConfig
from heistguard.intel import IntelLookup, open_store
from heistguard.mail.context import MailContext
from heistguard.mail.model import load_model
from heistguard.mail.parallel import BATCH_BYTES, BATCH_MESSAGES, TriagePool, WorkerSetup, batches
from heistguard.mail.sources import MailItem, iter_paths
from heistguard.mail.triage import triage
from tests.mail.build import mail

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mail"


def test_batches_close_on_count_or_size_and_keep_order() -> None:
    small = [MailItem(f"m{i}", b"x" * 100) for i in range(BATCH_MESSAGES * 2 + 5)]
    assert [len(b) for b in batches(small)] == [BATCH_MESSAGES, BATCH_MESSAGES, 5]
    assert [i for b in batches(small) for i in b] == small
    big = [MailItem(f"b{i}", b"x" * (BATCH_BYTES // 2 + 1)) for i in range(5)]
    assert [len(b) for b in batches(big)] == [2, 2, 1]
    assert list(batches([])) == []


def test_pool_verdicts_equal_one_process_across_many_batches(store_path: Path) -> None:
    items = list(iter_paths([FIXTURES / "real", FIXTURES / "modern_legit"]))
    items += [MailItem(f"built-{i}", mail(subject=f"note {i}", text=f"Message number {i}.\n")) for i in range(70)]
    items.append(MailItem("broken", b"", error="broken: unreadable"))
    with open_store(store_path, read_only=True) as store:  # read-only, as the workers open it beside us
        context = MailContext(MailConfig(), intel=IntelLookup(store))
        expected = [triage(item, context, load_model()) for item in items]
    setup = WorkerSetup(MailConfig(), store_path, online=False, use_model=True, model_path=None)
    with TriagePool(setup, 2) as pool:
        pool.warm_up()
        pairs = list(pool.triage(items))
    assert [item for item, _ in pairs] == items
    assert [verdict for _, verdict in pairs] == expected
