"""`heistguard scan` as a user and as CI meet it: exit codes, JSON lines, SARIF that code scanning
accepts, --explain, --rules, one-line errors for bad input, and the committed inert samples."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from heistguard.cli import main
from heistguard.intel.store import IndicatorRecord, IntelStore, Source

SAMPLES = Path(__file__).parents[2] / "samples" / "artifacts"
SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lure(tmp_path: Path) -> Path:
    """A private copy of the inert Contagious Interview sample (tests must not depend on the cwd)."""
    return Path(shutil.copytree(SAMPLES / "contagious-interview", tmp_path / "lure"))


def test_lure_is_malicious_and_clean_project_is_clean(lure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", "--no-intel", "-f", "json", str(lure), str(SAMPLES / "clean-project"))
    bad, good = (json.loads(line) for line in out.splitlines())
    assert code == 1
    assert bad["verdict"] == "malicious" and bad["score"] >= 95
    rules = {f["rule_id"] for f in bad["findings"]}
    assert {
        "artifacts.npm-install-script",
        "artifacts.vscode-autorun-task",
        "artifacts.js-obfuscation",
        "artifacts.js-decoded-exec",
        "artifacts.remote-code-exec",
        "artifacts.wallet-theft",
        "artifacts.yara-beavertail",
        "artifacts.typosquat",
    } <= rules
    assert good["verdict"] == "clean" and good["findings"] == []


def test_clean_input_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan", "--no-intel", str(SAMPLES / "clean-project"))[0] == 0


def test_sarif_is_valid_with_file_line_and_stable_fingerprints(
    lure: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(lure.parent)
    code, out, _ = run(capsys, "scan", "--no-intel", "-f", "sarif", "lure")
    assert code == 1
    sarif = json.loads(out)
    jsonschema.validate(sarif, SCHEMA)
    results = sarif["runs"][0]["results"]
    task = next(r for r in results if r["ruleId"] == "artifacts.vscode-autorun-task")
    location = task["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "lure/.vscode/tasks.json"  # relative: code scanning maps it
    lines = (lure / ".vscode" / "tasks.json").read_text().splitlines()
    assert location["region"]["startLine"] == next(i for i, line in enumerate(lines, 1) if "folderOpen" in line)
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rule_ids
    again = json.loads(run(capsys, "scan", "--no-intel", "-f", "sarif", "lure")[1])
    prints = [r["partialFingerprints"] for r in results]
    assert prints == [r["partialFingerprints"] for r in again["runs"][0]["results"]]
    assert len({json.dumps(p) for p in prints}) == len(prints)


def test_explain_prints_the_rule_and_a_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", "--explain", "vscode-autorun-task")
    assert code == 0
    assert "artifacts.vscode-autorun-task" in out and "T1204.002" in out and "folderOpen" in out
    code, out, _ = run(capsys, "scan", "--explain", "artifacts.archive-bomb")
    assert code == 0 and "decompression bomb" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("scan",), "nothing to scan"),
        (("scan", "--explain", "no-such-rule"), "unknown rule"),
        (("scan", "--no-intel", "--max-file-mb", "0", "."), "bad size limit"),
        (("scan", "--no-intel", "--rules", "/nonexistent-rules", "."), "not a rule folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and needle in err


def test_missing_path_is_reported_and_the_batch_carries_on(lure: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "scan", "--no-intel", "-f", "json", "/nonexistent/repo", str(SAMPLES / "clean-project")
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in rows] == ["error", "clean"]
    assert code == 2 and "/nonexistent/repo" in err
    code, *_ = run(capsys, "scan", "--no-intel", "/nonexistent/repo", str(lure))
    assert code == 1  # a hit is never hidden behind a bad item


def test_user_yara_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "team.yar").write_text(
        'rule Team_Marker { meta: severity = "high" description = "our red-team marker" '
        'strings: $a = "HG-REDTEAM-MARKER-7f3a" condition: $a }\n'
    )
    target = tmp_path / "repo"
    target.mkdir()
    (target / "notes.txt").write_text("line one\nHG-REDTEAM-MARKER-7f3a\n")
    code, out, _ = run(capsys, "scan", "--no-intel", "--rules", str(rules), "-f", "json", str(target))
    (row,) = [json.loads(line) for line in out.splitlines()]
    (finding,) = [f for f in row["findings"] if f["rule_id"] == "artifacts.yara-user-rule"]
    assert code == 1 and finding["severity"] == "high" and "our red-team marker" in finding["title"]
    assert finding["evidence"][0]["location"]["line"] == 2
    (rules / "broken.yar").write_text("rule Broken {\n condition: nope\n}\n")
    code, _, err = run(capsys, "scan", "--no-intel", "--rules", str(rules), str(target))
    assert code == 2 and "does not compile" in err and "broken.yar:2" in err


def test_file_hash_in_the_intel_store_is_reported(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = b"inert stand-in for a known-bad file\n"
    digest = hashlib.sha256(payload).hexdigest()
    with IntelStore.open(store_path) as store:
        source = Source(id="test-hashes", name="test hash feed", url=None, as_of=None, licence=None, bundled=False)
        record = IndicatorRecord(
            type="sha256", value=digest, display=digest, category="malware", source_id="test-hashes", confidence=90
        )
        with store.transaction():
            store.add_records(source, [record])
    (tmp_path / "tool.bin").write_bytes(payload)
    code, out, _ = run(capsys, "--db", str(store_path), "scan", "-f", "json", str(tmp_path / "tool.bin"))
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert any(f["rule_id"] == "intel.known-malicious" and digest in json.dumps(f) for f in row["findings"])


def test_url_in_an_autorun_task_is_looked_up_in_the_intel_store(
    lure: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with IntelStore.open(store_path) as store:
        source = Source(id="test-c2", name="test C2 feed", url=None, as_of=None, licence=None, bundled=False)
        record = IndicatorRecord(
            type="domain",
            value="api.example.invalid",
            display="api.example.invalid",
            category="c2",
            source_id="test-c2",
            confidence=90,
        )
        with store.transaction():
            store.add_records(source, [record])
    code, out, _ = run(capsys, "--db", str(store_path), "scan", "-f", "json", str(lure))
    (row,) = [json.loads(line) for line in out.splitlines()]
    intel = [f for f in row["findings"] if f["rule_id"] == "intel.known-malicious"]
    assert code == 1 and intel
    assert intel[0]["evidence"][0]["location"]["path"].endswith(".vscode/tasks.json")
