"""A real tree every test machine has: the site-packages this suite runs from (duckdb, pyarrow,
pydantic, oletools, pefile, yara-x, mypy, ...). The scanner must find nothing high in it."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from heistguard.artifacts.scanner import Scanner


def test_own_site_packages_has_no_high_finding() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    scanner = Scanner(workers=2)
    verdict = scanner.scan_path(site)
    assert scanner.files > 1000  # it really walked a populated tree
    high = [f"{f.rule_id}: {f.title}" for f in verdict.findings if f.severity.blocks]
    assert high == []
