"""The profile: typed, validated, and every error names the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from heistguard.cli import main
from heistguard.config import CONFIG_ENV, load_profile
from heistguard.errors import BadInput


def test_no_profile_means_defaults() -> None:
    assert load_profile(None).intel.db is None


def test_profile_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('[intel]\ndb = "/srv/heistguard/store.duckdb"\n')
    monkeypatch.setenv(CONFIG_ENV, str(profile))
    assert load_profile().intel.db == Path("/srv/heistguard/store.duckdb")


def test_unknown_key_names_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('# our profile\n\n[intel]\ndb = "x.duckdb"\ndatabase = "typo.duckdb"\n')
    with pytest.raises(BadInput) as caught:
        load_profile(profile)
    assert f"{profile}:5" in caught.value.one_line()
    assert "intel.database" in caught.value.one_line()


def test_malformed_toml_names_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "heistguard.toml"
    profile.write_text('[intel]\ndb = "unterminated\n')
    with pytest.raises(BadInput, match=rf"{profile.name}:2"):
        load_profile(profile)


def test_profile_db_is_used_by_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "from-profile.duckdb"
    profile = tmp_path / "heistguard.toml"
    profile.write_text(f'[intel]\ndb = "{store}"\n')
    assert main(["--config", str(profile), "intel", "lookup", "example.com"]) == 0
    assert store.exists()
    capsys.readouterr()
    assert main(["--config", str(tmp_path / "missing.toml"), "intel", "lookup", "example.com"]) == 2
    assert "cannot read the profile" in capsys.readouterr().err
