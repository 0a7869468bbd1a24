"""Renderers are pure functions of verdicts: SARIF valid against the OASIS schema, stable output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from rich.console import Console

from heistguard.catalog import all_rules
from heistguard.findings import Evidence, Location, Rule, Severity, error_verdict, verdict_of
from heistguard.intel import IntelLookup
from heistguard.intel.store import IntelStore
from heistguard.report.jsonl import render_jsonl
from heistguard.report.sarif import render_sarif
from heistguard.report.table import render_table

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "sarif-schema-2.1.0.json").read_text())
FILE_RULE = Rule(id="test.file-rule", severity=Severity.HIGH, title="file rule", rationale="why", attack=("T1204.002",))


def _verdicts(store: IntelStore) -> list:
    intel = IntelLookup(store)
    results = intel.lookup_many(["0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "example.com", "0xbad"])
    file_finding = FILE_RULE.finding(
        "postinstall runs a downloaded script",
        evidence=[
            Evidence(
                location=Location(path="pkg dir/package.json", line=7, column=5), text='"postinstall": "curl | sh"'
            )
        ],
    )
    return [intel.verdict(r) for r in results] + [verdict_of("pkg dir", "artifacts", [file_finding])]


def test_sarif_is_valid_and_deterministic(store: IntelStore) -> None:
    rules = {**all_rules(), FILE_RULE.id: FILE_RULE}
    verdicts = _verdicts(store)
    sarif = render_sarif(verdicts, rules)
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(r["id"] for r in run["tool"]["driver"]["rules"])
    file_result = next(r for r in run["results"] if r["ruleId"] == FILE_RULE.id)
    location = file_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg%20dir/package.json"
    assert location["region"] == {"startLine": 7, "startColumn": 5}
    assert run["invocations"][0]["executionSuccessful"] is False  # the bad value is reported
    assert render_sarif(_verdicts(store), rules) == sarif


def test_jsonl_one_object_per_input(store: IntelStore) -> None:
    lines = render_jsonl(_verdicts(store)).splitlines()
    assert len(lines) == 4
    rows = [json.loads(line) for line in lines]
    assert rows[2] == {
        "input": "0xbad",
        "guard": "intel",
        "verdict": "error",
        "score": 0,
        "findings": [],
        "error": rows[2]["error"],
    }


def test_table_shows_verdicts_findings_and_errors(store: IntelStore) -> None:
    console = Console(width=140, record=True)
    console.print(render_table([*_verdicts(store), error_verdict("x", "intel", "broken thing")]))
    text = console.export_text()
    assert "malicious" in text and "intel.sanctioned" in text and "LAZARUS GROUP" in text
    assert "example.com  not-listed (0/100)  no findings" in text
    assert "broken thing" in text
