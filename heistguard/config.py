"""The organisation's profile, `heistguard.toml`: one validated file, one typed section per guard.

Where it is read from: `--config PATH`, else `$HEISTGUARD_CONFIG`, else no profile (every guard
works on its defaults). Unknown keys are errors, and every error names the file and line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from heistguard.errors import BadInput

CONFIG_ENV = "HEISTGUARD_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntelConfig(_Section):
    """[intel]"""

    db: Path | None = None
    """The DuckDB store file; `--db` and `$HEISTGUARD_DB` take precedence."""


class MailConfig(_Section):
    """[mail]"""

    protected_domains: tuple[str, ...] = ()
    """The firm's own and its partners' domains (exchanges, VCs, wallet vendors); lookalikes of these are flagged."""
    protected_names: tuple[str, ...] = ()
    """People and brands worth impersonating ("Jane Doe", "Acme Capital"); a display name using one from
    outside the protected domains is flagged."""
    trusted_domains: tuple[str, ...] = ()
    """Further domains allowed to use protected names and never called lookalikes (e.g. a mail vendor)."""
    default_brands: bool = True
    """Also protect the bundled list of crypto exchanges, wallets and mail brands (heistguard/mail/brands.py)."""
    trusted_authserv_ids: tuple[str, ...] = ()
    """Authentication-Results authserv-ids written by the firm's own MTAs; when empty, the topmost header is used."""
    use_model: bool = True
    """Add the learned model's opinion to the rules' findings."""


class Profile(_Section):
    """The whole file. Each guard adds its own section here and reads only that."""

    intel: IntelConfig = IntelConfig()
    mail: MailConfig = MailConfig()


def config_path(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else None


def _line_of(text: str, loc: tuple[object, ...]) -> int | None:
    """The line where the key an error points at is written (section header, then key)."""
    keys = [str(part) for part in loc if isinstance(part, str)]
    if not keys:
        return None
    lines = text.splitlines()
    section_line = 0
    if len(keys) > 1:
        header = re.compile(r"^\s*\[+\s*" + re.escape(".".join(keys[:-1])) + r"\s*\]+\s*$")
        section_line = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    key = re.compile(r"^\s*" + re.escape(keys[-1]) + r"\s*=")
    for i in range(section_line, len(lines)):
        if key.match(lines[i]):
            return i + 1
    return section_line + 1 if len(keys) > 1 else None


def load_profile(path: Path | None = None) -> Profile:
    """The profile at `path` (or from the environment), or the defaults when there is none."""
    path = config_path(path)
    if path is None:
        return Profile()
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise BadInput("cannot read the profile", str(path), exc.strerror or str(exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise BadInput("malformed TOML", f"{path}:{line}" if line else str(path), str(exc).split(" (at")[0]) from None
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = _line_of(text, tuple(first["loc"]))
        key = ".".join(str(p) for p in first["loc"])
        where = f"{path}:{line}" if line else str(path)
        raise BadInput(f"bad profile key {key}", where, first["msg"]) from None
