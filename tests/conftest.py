"""Shared fixtures: every test gets a temporary store; the bundled intel is loaded once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from heistguard.intel import open_store
from heistguard.intel.store import DB_ENV, IntelStore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real store or profile."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "default-store.duckdb"))
    monkeypatch.delenv("HEISTGUARD_CONFIG", raising=False)


@pytest.fixture(scope="session")
def _bundled_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundled") / "bundled.duckdb"
    open_store(path, read_only=False).close()
    return path


@pytest.fixture
def store_path(_bundled_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of a store that already holds the bundled intel."""
    path = tmp_path / "store.duckdb"
    shutil.copy(_bundled_store_file, path)
    return path


@pytest.fixture
def store(store_path: Path) -> Iterator[IntelStore]:
    with open_store(store_path, read_only=False) as opened:
        yield opened
