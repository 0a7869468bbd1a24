"""`heistguard intel import/export` as a user meets them: a bad file is one line and exit 2, the store
is left as it was, and a batch carries on past the bad file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from heistguard.cli import main
from heistguard.intel.exchange import IntelBatch, import_batch
from heistguard.intel.store import IndicatorRecord, IntelStore, Source
from tests.conftest import FIXTURES
from tests.intel.exchange_support import source_facts

EVENT_3CX = FIXTURES / "intel" / "misp_feed" / "7b1e4a52-0c3d-4d7e-9f1a-3c5e2b8d4a61.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def snapshot(path: Path) -> tuple[object, ...]:
    with IntelStore.open(path, read_only=True) as store:
        return (
            store.count(),
            sorted(store.all_records(), key=lambda r: r.record_id),
            [source_facts(s) for s in store.sources()],
            sorted(a.name for a in store.actors()),
        )


@pytest.fixture
def stix_file(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "dprk.json"
    code, _, _ = run(capsys, "--db", str(store_path), "intel", "export", "-f", "stix", "--source",
                     "dprk-attribution", "-o", str(path))  # fmt: skip
    assert code == 0 and path.stat().st_size > 10_000
    return path


def test_export_import_between_two_stores(stix_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.duckdb"
    code, out, err = run(capsys, "--db", str(other), "intel", "import", str(stix_file), "--source", "peer-share")
    assert (code, err) == (0, [])
    assert out.strip() == f"{stix_file}: stix, 112 records into peer-share"
    bybit = "0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D"  # FBI PSA250226
    code, out, _ = run(capsys, "--db", str(other), "intel", "lookup", "-f", "json", bybit)
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    evidence = [e["location"]["logical"] for f in row["findings"] for e in f["evidence"]]
    assert "intel:peer-share" in evidence
    before = snapshot(other)
    assert run(capsys, "--db", str(other), "intel", "import", str(stix_file), "--source", "peer-share")[0] == 0
    assert snapshot(other) == before  # importing the same file again changes nothing


def test_replace_drops_what_a_feed_no_longer_lists(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "day1.csv"
    first.write_text("value,category\nakamaicontainer.com,c2\nmsstorageboxes.com,c2\n")
    second = tmp_path / "day2.csv"
    second.write_text("value,category\nmsstorageboxes.com,c2\n")
    db = ("--db", str(store_path))
    assert run(capsys, *db, "intel", "import", str(first), "--source", "peer-feed")[0] == 0
    assert run(capsys, *db, "intel", "import", str(second), "--source", "peer-feed")[0] == 0
    with IntelStore.open(store_path, read_only=True) as store:
        assert len(list(store.all_records(["peer-feed"]))) == 2  # merged
    assert run(capsys, *db, "intel", "import", str(second), "--source", "peer-feed", "--replace")[0] == 0
    with IntelStore.open(store_path, read_only=True) as store:
        assert [r.value for r in store.all_records(["peer-feed"])] == ["msstorageboxes.com"]


def test_truncated_stix_is_one_line_naming_file_line_and_column(
    stix_file: Path, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(stix_file.read_bytes()[:5000])
    before = snapshot(store_path)
    code, out, err = run(capsys, "--db", str(store_path), "intel", "import", str(truncated))
    assert code == 2 and out == ""
    (line,) = err
    assert line.startswith(f"heistguard: error: malformed JSON in {truncated}:")
    line_col = line.split(f"{truncated}:", 1)[1].split(":", 2)
    assert line_col[0].isdigit() and line_col[1].isdigit()
    assert snapshot(store_path) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"just some notes, not intel\n", "unknown format"),
        ("weird.json", b'{"hello": "world"}', "unknown format"),
        ("no-attributes.json", b'{"Event": {"info": "x", "Orgc": {"name": "CIRCL"}}}', "malformed MISP event"),
        ("binary.json", b"\xff\xfe\x00garbage", "not UTF-8 text"),
        ("bad-objects.json", b'{"type": "bundle", "objects": {"a": 1}}', "malformed STIX bundle"),
        ("sdn.csv", b"currency,address,sdn_entity,sdn_uid,programs,status,status_date\n", "not an exchange format"),
    ],
)
def test_bad_file_is_exit_2_one_line_store_unchanged(
    name: str, content: bytes, message: str, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot(store_path)
    code, _, err = run(capsys, "--db", str(store_path), "intel", "import", str(path))
    assert code == 2
    assert err == [f"heistguard: error: {message} in {path}: {err[0].split(': ', 3)[-1]}"]
    assert snapshot(store_path) == before


def test_unreadable_inputs(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    empty_dir = tmp_path / "not-a-feed"
    empty_dir.mkdir()
    before = snapshot(store_path)
    code, _, err = run(capsys, "--db", str(store_path), "intel", "import", str(missing), str(empty_dir))
    assert code == 2
    assert err == [
        f"heistguard: error: cannot read file in {missing}: No such file or directory",
        f"heistguard: error: not a MISP feed directory in {empty_dir}: it has no manifest.json",
    ]
    assert snapshot(store_path) == before


def test_batch_carries_on_past_a_bad_file(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "bundle", "objects": [')
    code, out, err = run(capsys, "--db", str(store_path), "intel", "import", str(bad), str(EVENT_3CX))
    assert code == 2
    assert out.strip() == f"{EVENT_3CX}: misp-event, 5 records into misp-circl"
    (line,) = err
    assert line.startswith(f"heistguard: error: malformed JSON in {bad}:1:")
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "lookup", "-f", "json", "msstorageboxes.com")
    (row,) = [json.loads(x) for x in out.splitlines()]
    assert code == 1 and row["verdict"] == "malicious"


def test_a_write_failing_half_way_leaves_nothing(store: IntelStore) -> None:
    """The second source's batch cannot be stored (confidence beyond the column's range): the first must not stay."""
    good = Source("first-half", "first half", None, dt.date(2025, 1, 1))
    bad = Source("second-half", "second half", None, dt.date(2025, 1, 1))
    batch = IntelBatch(
        sources={"first-half": good, "second-half": bad},
        records=[
            IndicatorRecord("domain", "first-half.example", "first-half.example", "phishing", "first-half", 70),
            IndicatorRecord("domain", "second-half.example", "second-half.example", "phishing", "second-half", 2**40),
        ],
    )
    before = (store.count(), [source_facts(s) for s in store.sources()])
    with pytest.raises(Exception, match=r"(?i)too large|overflow|out of range"):
        import_batch(store, batch)
    assert (store.count(), [source_facts(s) for s in store.sources()]) == before
    assert store.records_for(["first-half.example"]) == []


def test_export_errors_are_one_line(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(store_path), "intel", "export", "-f", "csv", "--source", "no-such")
    assert code == 2 and err == [
        "heistguard: error: unknown source in no-such: see `heistguard intel sources` for the ids"
    ]
    target = tmp_path / "missing-dir" / "out.csv"
    code, _, err = run(capsys, "--db", str(store_path), "intel", "export", "-f", "csv", "-o", str(target))
    assert code == 2 and len(err) == 1 and err[0].startswith(f"heistguard: error: cannot write export in {target}")
    code, _, err = run(capsys, "--db", str(store_path), "intel", "export", "-f", "yaml")
    assert code == 2 and len(err) == 1


def test_misp_feed_export_to_a_directory(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "feed"
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "export", "-f", "misp", "--source",
                       "dprk-attribution", "-o", f"{feed}/")  # fmt: skip
    assert code == 0 and out.strip() == f"{feed}: MISP feed, 6 events, 112 records"
    assert (feed / "manifest.json").is_file() and (feed / "hashes.csv").is_file()


@pytest.mark.parametrize(
    "doc",
    [
        {"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1", "pattern": 5}]},
        {"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--2", "pattern": "[domain-name:value"}]},
        {"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--3", "labels": "phishing",
                                        "pattern": "[domain-name:value = 'x.example']", "confidence": "high",
                                        "extensions": {"extension-definition--x": 1}, "external_references": {}}]},
        {"Event": {"info": "x", "Tag": "tlp:clear", "Orgc": "CIRCL", "Attribute": [{"type": "domain", "value": 5},
                   {"type": "btc", "value": "not-an-address"}, "junk"], "Object": [{"Attribute": "x"}]}},
        {"response": [{"Event": {"info": "y", "Attribute": [{"type": "ip-dst|port", "value": "198.51.100.7"}]}}]},
    ],
)  # fmt: skip
def test_odd_but_parseable_documents_never_traceback(
    doc: object, store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(doc))
    code, _, err = run(capsys, "--db", str(store_path), "intel", "import", str(path))
    assert code in (0, 2)
    assert all(line.startswith("heistguard: error: ") for line in err)


def test_feed_manifest_cannot_point_outside_its_directory(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "manifest.json").write_text(json.dumps({"../outside": {"info": "x", "Orgc": {"name": "y"}}}))
    (tmp_path / "outside.json").write_text(EVENT_3CX.read_text())
    code, _, err = run(capsys, "--db", str(store_path), "intel", "import", str(feed))
    assert code == 2 and err == [
        f"heistguard: error: malformed MISP feed manifest in {feed / 'manifest.json'}: "
        "event key '../outside' is not a uuid"
    ]


def test_export_only_current_records_of_some_categories(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "export", "-f", "csv", "--source", "ofac-sdn",
                       "--category", "sanctioned", "--current")  # fmt: skip
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) == 1156 - 90  # the 90 Tornado Cash contracts delisted 2025-03-21 are left out
    assert not any(",delisted," in row for row in rows)
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "export", "-f", "csv", "--category", "victim")
    assert code == 0 and {row.split(",")[3] for row in out.splitlines()[1:]} == {"victim"}
