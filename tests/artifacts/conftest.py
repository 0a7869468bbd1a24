"""One compiled scanner per test session: YARA compilation is the slow part of making one."""

from __future__ import annotations

import pytest

from heistguard.artifacts.scanner import Scanner


@pytest.fixture(scope="session")
def scanner() -> Scanner:
    return Scanner()
