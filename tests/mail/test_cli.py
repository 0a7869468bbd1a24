"""`heistguard mail triage` end to end: formats, exit codes, quarantine, real messages from tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest

from heistguard.cli import main
from tests.conftest import FIXTURES
from tests.mail.build import LNK, mail

LEGIT = FIXTURES / "mail" / "modern_legit"
REAL = FIXTURES / "mail" / "real"


def _json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_phishing_exits_1_and_is_quarantined_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.eml"
    bad.write_bytes(mail(sender="HR <hr@acme-capita1.com>", attachments=(("JD.pdf.lnk", LNK),)))
    good = tmp_path / "good.eml"
    good.write_bytes((LEGIT / "receipt-1.eml").read_bytes())
    quarantine = tmp_path / "q"
    code = main(["mail", "triage", "-f", "json", "--quarantine", str(quarantine), str(bad), str(good)])
    assert code == 1
    rows = {Path(str(r["input"])).name: r for r in _json_lines(capsys)}
    assert rows["bad.eml"]["verdict"] == "phishing"
    assert rows["good.eml"]["verdict"] != "phishing"
    copies = {p.read_bytes() for p in quarantine.iterdir()}
    assert bad.read_bytes() in copies  # byte for byte
    assert len(copies) == sum(1 for r in rows.values() if r["verdict"] != "clean")


def test_legitimate_modern_mail_is_not_phishing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "triage", "-f", "json", str(LEGIT)]) == 0
    rows = _json_lines(capsys)
    assert len(rows) == len(list(LEGIT.glob("*.eml")))
    assert all(r["verdict"] != "phishing" for r in rows)


def test_real_messages(capsys: pytest.CaptureFixture[str]) -> None:
    main(["mail", "triage", "-f", "json", str(REAL)])
    verdicts = {Path(str(r["input"])).name: r["verdict"] for r in _json_lines(capsys)}
    assert verdicts["github-notification.eml"] == "clean"
    assert verdicts["dmarc-report.eml"] == "clean"
    assert verdicts["phishing-mailgun-api-key.eml"] == "phishing"
    assert verdicts["phishing-bbva-spoof.eml"] in ("phishing", "suspicious")


def _evidence(row: dict[str, object], rule_id: str) -> str:
    findings = [f for f in cast(list[dict[str, Any]], row["findings"]) if f["rule_id"] == rule_id]
    assert findings, f"{rule_id} did not fire on {row['input']}"
    return "\n".join(str(e["text"]) for f in findings for e in f["evidence"])


def test_real_phishing_is_flagged_by_the_rules_for_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    """Without the model, each real phishing message is still flagged, on the headers that give it away."""
    mailgun, bbva = REAL / "phishing-mailgun-api-key.eml", REAL / "phishing-bbva-spoof.eml"
    main(["mail", "triage", "-f", "json", "--no-model", str(mailgun), str(bbva)])
    rows = {Path(str(r["input"])).name: r for r in _json_lines(capsys)}
    # "Mailgun Team" API-key lure built on a GoDaddy notice re-sent with a new body: the receiver recorded the
    # GoDaddy signature's failed body hash and the broken ARC seal.
    assert rows[mailgun.name]["verdict"] != "clean"
    assert "cv=fail" in _evidence(rows[mailgun.name], "mail.arc-broken")
    assert 'dkim=fail ("body hash did not verify") header.d=godaddy.com' in _evidence(
        rows[mailgun.name], "mail.auth-failure"
    )
    # bbva.mx in From, sent by the web server user of an OVH VPS, replies diverted to an unrelated Spanish domain.
    assert rows[bbva.name]["verdict"] != "clean"
    envelope = _evidence(rows[bbva.name], "mail.envelope-mismatch")
    assert "www-data@vps-051e4cda.vps.ovh.net" in envelope and "notificaccion-clientes@bbva.mx" in envelope
    assert "Reply-To: info@alejandrosalcedo.es" in _evidence(rows[bbva.name], "mail.reply-to-divert")


def test_sarif_carries_every_mail_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.eml"
    bad.write_bytes(mail(text="URGENT: your wallet will be suspended within 24 hours. Verify your seed phrase.\n"))
    main(["mail", "triage", "-f", "sarif", str(bad)])
    sarif = json.loads(capsys.readouterr().out)
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "mail.lure-urgent-wallet" for r in results)
    assert {r["ruleId"] for r in results} <= rule_ids


def test_no_input_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "triage"]) == 2
    assert "nothing to triage" in capsys.readouterr().err


def test_bad_profile_key_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('[mail]\nprotected_domain = ["acme.com"]\n')
    eml = tmp_path / "a.eml"
    eml.write_bytes(mail())
    assert main(["--config", str(profile), "mail", "triage", str(eml)]) == 2
    assert "protected_domain" in capsys.readouterr().err


def test_profile_protects_the_firms_people(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('[mail]\nprotected_domains = ["acme-capital.com"]\nprotected_names = ["Jane Doe"]\n')
    eml = tmp_path / "ceo.eml"
    eml.write_bytes(mail(sender="Jane Doe <jane.doe.office@gmail.com>", text="Are you at your desk? I need a favour."))
    assert main(["--config", str(profile), "mail", "triage", "-f", "json", "--no-model", str(eml)]) == 1
    (row,) = _json_lines(capsys)
    assert row["verdict"] == "phishing"


def test_worker_processes_give_the_same_verdicts_in_the_same_order(capsys: pytest.CaptureFixture[str]) -> None:
    main(["mail", "triage", "-f", "json", str(LEGIT), str(REAL)])
    one = capsys.readouterr().out
    main(["mail", "triage", "-f", "json", "--jobs", "2", str(LEGIT), str(REAL)])
    assert capsys.readouterr().out == one


def test_unreadable_input_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    good = tmp_path / "ok.eml"
    good.write_bytes(mail())
    assert main(["mail", "triage", "-f", "json", str(junk), str(good)]) == 2
    out = capsys.readouterr()
    rows = _json_lines_from(out.out)
    assert [r["verdict"] for r in rows] == ["error", "clean"]
    (line,) = out.err.strip().splitlines()
    assert "notes.pdf is not an e-mail message" in line


def test_mbox_message_is_quarantined_as_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = mail(sender="HR <hr@acme-capita1.com>", attachments=(("JD.pdf.lnk", LNK),))
    box = tmp_path / "inbox.mbox"
    box.write_bytes(b"From a@b Thu Nov 26 00:00:00 2026\n" + mail().replace(b"\r\n", b"\n") + b"\n"
                    + b"From a@b Thu Nov 26 00:00:01 2026\n" + bad.replace(b"\r\n", b"\n") + b"\n")  # fmt: skip
    quarantine = tmp_path / "q"
    assert main(["mail", "triage", "-f", "json", "--quarantine", str(quarantine), str(box)]) == 1
    (copied,) = list(quarantine.iterdir())
    assert copied.read_bytes() == bad.replace(b"\r\n", b"\n")


def _json_lines_from(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
