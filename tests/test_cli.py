"""The command line as a user meets it: exit codes, formats, one-line errors on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from heistguard.cli import main

RONIN_EXPLOITER = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"
CLEAN = "0x00000000219ab540356cBB839Cbe05303d7705Fa"
TORNADO_POOL = "0x910Cbd523D972eb0a6f4cAe4618aD62622b39DbF"  # Tornado Cash 10 ETH pool


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_lookup_exit_codes(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ("--db", str(store_path))
    code, out, _ = run(capsys, *db, "intel", "lookup", RONIN_EXPLOITER)
    assert code == 1
    assert "LAZARUS GROUP" in out and "Lazarus Group" in out
    assert run(capsys, *db, "intel", "lookup", CLEAN)[0] == 0
    code, out, _ = run(capsys, *db, "intel", "lookup", "-f", "json", TORNADO_POOL)
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert {f["rule_id"] for f in row["findings"]} >= {"intel.mixer", "intel.formerly-sanctioned"}
    assert "intel.sanctioned" not in {f["rule_id"] for f in row["findings"]}


def test_json_lines_have_the_documented_keys(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "--db", str(store_path), "intel", "lookup", "-f", "json", RONIN_EXPLOITER, CLEAN, "0xbad"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in rows] == ["malicious", "not-listed", "error"]
    assert all({"input", "verdict", "score", "findings"} <= r.keys() for r in rows)
    assert code == 1  # a hit is never hidden behind the bad item
    assert err.count("\n") == 1 and "0xbad" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("intel", "lookup", "0x098B716B8Aaf21512996dC57EB0615e2383E2f97"), "wrong EIP-55 checksum"),
        (("intel", "lookup", "not-an-indicator"), "unrecognised indicator"),
        (("intel", "lookup", "-f", "yaml", CLEAN), "yaml"),
        (("intel", "update", "/nonexistent/feed.csv"), "cannot read file"),
        (("intel", "sources", "-f", "sarif"), "no SARIF form"),
        (("no-such-command",), "no-such-command"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    store_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    code, _, err = run(capsys, "--db", str(store_path), *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in err


def test_lookup_reads_stdin(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"# case 17\n{CLEAN}\n\n{RONIN_EXPLOITER.lower()}\n"))
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "lookup", "-f", "json", "-")
    assert code == 1
    assert len(out.splitlines()) == 2


def test_sources_show_as_of_dates(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "sources", "-f", "json")
    rows = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0
    assert rows["ofac-sdn"]["as_of"] == "2026-09-30" and rows["ofac-sdn"]["records"] > 1000
    assert all(r["as_of"] for r in rows.values())


def test_update_reimports_a_feed_transactionally(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = tmp_path / "ofac_sdn_digital_currency_addresses.csv"
    feed.write_text(
        "currency,address,sdn_entity,sdn_uid,feature_uid,programs,status,status_date,notes\n"
        f"ETH,{RONIN_EXPLOITER},LAZARUS GROUP,27307,150215,DPRK3,sanctioned,2022-04-14,\n"
        "ETH,0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf,EXAMPLE ENTITY,1,2,CYBER2,sanctioned,2026-10-01,\n"
    )
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "update", str(feed))
    assert code == 0 and "ofac-sdn: 2 records" in out and "as of 2026-10-01" in out
    assert run(capsys, "--db", str(store_path), "intel", "lookup", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")[0] == 1
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "currency,address,sdn_entity,sdn_uid,feature_uid,programs,status,status_date,notes\nETH,0x1,A,1,2,P,sanctioned,,,extra,fields\n"
    )
    code, _, err = run(capsys, "--db", str(store_path), "intel", "update", "--source", "ofac-sdn", str(broken))
    assert code == 2 and "broken.csv:2" in err
    assert run(capsys, "--db", str(store_path), "intel", "lookup", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")[0] == 1


def test_update_refuses_an_unknown_feed_and_carries_on(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "notes.csv"
    unknown.write_text("when,what\n2025-02-21,bybit\n")
    pack = tmp_path / "case-17.yaml"
    pack.write_text(
        "title: case 17 mixers\ncategory: mixing_service\ncurrency: ETH\nlastmod: 2026-11-01\n"
        "tags:\n- address: '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf'\n  label: case mixer\n"
    )
    code, out, err = run(capsys, "--db", str(store_path), "intel", "update", str(unknown), str(pack))
    assert code == 2
    assert "unknown feed format in" in err and "notes.csv" in err
    assert "case-17: 1 records" in out and "as of 2026-11-01" in out
    code, out, _ = run(
        capsys, "--db", str(store_path), "intel", "lookup", "-f", "json", "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
    )
    assert json.loads(out)["findings"][0]["rule_id"] == "intel.mixer"


def test_actors_lists_attack_ids(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "actors")
    assert code == 0
    for needle in ("Lazarus Group", "G0032", "APT38", "G0082", "Contagious Interview", "G1052", "TraderTraitor"):
        assert needle in out


def test_actors_as_json(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", str(store_path), "intel", "actors", "-f", "json")
    actors = {a["name"]: a for a in map(json.loads, out.splitlines())}
    assert code == 0
    assert actors["TraderTraitor"]["attack_id"] is None
    assert actors["TraderTraitor"]["parent"] == actors["Lazarus Group"]["id"]
    assert run(capsys, "--db", str(store_path), "intel", "actors", "-f", "sarif")[0] == 2
