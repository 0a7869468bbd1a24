"""`heistguard chain ...` end to end: ingest, screen, trace with graph outputs, freeze list, errors and exit codes."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from heistguard.cli import main
from heistguard.intel import open_store
from tests.chain import heist
from tests.chain.conftest import ETH
from tests.chain.heist import A


@pytest.fixture
def heist_db(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    files = heist.write_files(tmp_path / "heist")
    assert main(["--db", str(store_path), "chain", "ingest", *map(str, files)]) == 0
    labels = {**heist.LABELS, "thief": ("attributed-theft", "Test: heist thief")}
    with open_store(store_path, read_only=False) as store:
        heist.add_labels(store, labels)
    capsys.readouterr()
    return store_path


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_ingest_reports_what_it_did_and_a_bad_file_does_not_stop_the_batch(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    code = main(["--db", str(store_path), "chain", "ingest", str(bad), str(ETH / "expected_token_transfers.json")])
    captured = capsys.readouterr()
    assert code == 2
    assert "unknown file type" in captured.err and str(bad) in captured.err
    assert "Traceback" not in captured.err
    assert "token_transfers, 291 rows read, 291 transfers" in captured.err.replace("\n", " ")


def test_screen_direct_and_indirect_exposure_with_path_and_amounts(
    heist_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["--db", str(heist_db), "chain", "screen", A["p1"], A["p2"], A["clean"], "0xnot-an-address", "-f", "json"]
    )
    out = _json_lines(capsys.readouterr().out)
    assert code == 1
    by_input = {v["input"]: v for v in out}
    p1 = by_input[A["p1"]]["findings"]
    assert [f["rule_id"] for f in p1] == ["chain.direct-exposure"]
    assert p1[0]["evidence"][0]["text"].endswith(f"{A['thief']} -> {A['p1']} {600 * 10**18} ETH")
    assert [f["rule_id"] for f in by_input[A["p2"]]["findings"]] == ["chain.indirect-exposure"]
    assert by_input[A["clean"]]["verdict"] == "clean"
    assert by_input["0xnot-an-address"]["verdict"] == "error"


def test_screen_a_listed_address_from_a_file(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "counterparties.csv"
    # The Ronin bridge exploiter, on the OFAC SDN list since 2022-04-14 (bundled intel).
    listing.write_text("address\n0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n")
    code = main(["--db", str(heist_db), "chain", "screen", str(listing), "--hops", "0", "-f", "json"])
    (verdict,) = _json_lines(capsys.readouterr().out)
    assert code == 1
    assert "intel.sanctioned" in [f["rule_id"] for f in verdict["findings"]]


def test_trace_writes_every_graph_format_and_the_findings(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = [tmp_path / f"trace.{ext}" for ext in ("json", "csv", "graphml", "html")]
    args = ["--db", str(heist_db), "chain", "trace", "--from", A["thief"], "--model", "fifo", "-f", "json"]
    code = main([*args, *(x for p in outputs for x in ("--graph", str(p)))])
    (verdict,) = _json_lines(capsys.readouterr().out)
    assert code == 1 and verdict["verdict"] == "laundering"
    rules = {f["rule_id"] for f in verdict["findings"]}
    assert {"chain.trace-summary", "chain.exchange-endpoint", "chain.mixer-deposit", "chain.bridge-exit"} <= rules
    assert "chain.address-poisoning" in rules
    graph = json.loads(outputs[0].read_text())
    assert {e["entity"]: e["amounts"]["ETH"] for e in graph["endpoints"]} == {
        name: str(amount * 10**18) for name, amount in heist.EXPECTED["fifo"].items()
    }
    assert any(e["decoy"] for e in graph["edges"])
    edges = list(csv.DictReader(outputs[1].open()))
    assert {r["source"] for r in edges} >= {A["thief"], A["p1"], A["p2"]}
    assert (tmp_path / "trace.nodes.csv").exists()
    root = ET.parse(outputs[2]).getroot()
    assert len(root.findall(".//{http://graphml.graphdrawing.org/xmlns}node")) == len(graph["nodes"])
    html = outputs[3].read_text()
    assert "const TRACE = " in html and "<script src" not in html and "http" not in html.split("<script>")[1]


def test_freeze_list_names_each_exchange_deposit_amount_and_time(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "freeze.csv"
    assert main(["--db", str(heist_db), "chain", "freeze-list", "--from", A["thief"], "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["exchange"], r["address"], r["kind"], r["amount"]) for r in rows] == [
        ("Alpha", A["deposit"], "deposit address", str(100 * 10**18)),
        ("Beta", A["beta-wallet"], "exchange wallet", str(350 * 10**18)),
    ]
    assert rows[0]["first_seen"] == "2024-05-01 12:20:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trace", "--from", "0x1234"], "malformed address"),
        (["trace", "--from", A["thief"], "--since", "yesterday"], "bad --since"),
        (["trace", "--from", A["thief"], "--hops", "0"], "bad --hops"),
        (["trace", "--from", A["thief"], "--graph", "out.png"], "unknown graph format"),
        (["screen", "--hops", "2"], "Missing argument"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(
    heist_db: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["--db", str(heist_db), "chain", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_profile_sets_the_defaults_and_an_option_wins(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('[chain]\nmodel = "fifo"\ntrace_hops = 6\n')
    base = ["--db", str(heist_db), "--config", str(profile), "chain", "freeze-list", "--from", A["thief"]]
    assert main([*base, "--out", str(tmp_path / "fifo.json")]) == 0
    beta = [r for r in json.loads((tmp_path / "fifo.json").read_text()) if r["exchange"] == "Beta"]
    assert beta[0]["amount"] == str(500 * 10**18)  # fifo, from the profile
    assert main([*base, "--model", "poison", "--out", str(tmp_path / "poison.json")]) == 0
    beta = [r for r in json.loads((tmp_path / "poison.json").read_text()) if r["exchange"] == "Beta"]
    assert beta[0]["amount"] == str(700 * 10**18)  # the option wins
    profile.write_text('[chain]\nmodel = "fifo"\ntrace_hopz = 6\n')
    assert main([*base, "--out", str(tmp_path / "x.json")]) == 2
    assert f"{profile}:3" in capsys.readouterr().err


def test_no_chain_data_is_said_plainly(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(store_path), "chain", "trace", "--from", A["thief"]]) == 2
    assert "no chain data in the store" in capsys.readouterr().err
    assert main(["--db", str(store_path), "chain", "screen", A["thief"]]) == 0
    assert "only direct intel hits are screened" in capsys.readouterr().err


def test_export_writes_parquet_and_a_bad_folder_is_a_clear_error(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(heist_db), "chain", "export", str(tmp_path / "parquet")]) == 0
    assert (tmp_path / "parquet" / "transfers.parquet").stat().st_size > 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--db", str(heist_db), "chain", "export", str(blocker / "sub")]) == 2
    assert "cannot write the Parquet tables" in capsys.readouterr().err


def test_spark_without_the_parquet_tables_is_a_clear_error(
    heist_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--db", str(heist_db), "chain", "trace", "--from", A["thief"], "--engine", "spark"]
    assert main([*args, "--parquet", str(tmp_path / "nowhere")]) == 2
    assert "missing Parquet table" in capsys.readouterr().err
