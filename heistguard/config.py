"""The organisation's profile, `heistguard.toml`: one validated file, one typed section per guard.

Where it is read from: `--config PATH`, else `$HEISTGUARD_CONFIG`, else no profile (every guard
works on its defaults). Unknown keys are errors, and every error names the file and line.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from heistguard.errors import BadInput

CONFIG_ENV = "HEISTGUARD_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntelConfig(_Section):
    """[intel]"""

    db: Path | None = None
    """The DuckDB store file; `--db` and `$HEISTGUARD_DB` take precedence."""


class ChainConfig(_Section):
    """[chain] — defaults for `heistguard chain`; a command-line option always wins."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    """Where screening and tracing run: the embedded store, or Spark over Parquet."""
    spark_master: str = "local[*]"
    """Spark master URL for engine = "spark" (local[*], spark://host:7077, yarn, k8s://...)."""
    parquet: str | None = None
    """Folder or URL (hdfs://, s3a://) of the Parquet chain tables Spark reads (`heistguard chain export` writes
    them); default: export the store to a temporary folder."""
    screen_hops: int = Field(default=2, ge=0, le=6)
    """Exposure to listed addresses is searched within this many hops."""
    trace_hops: int = Field(default=6, ge=1, le=50)
    """How far a trace follows value."""
    model: Literal["poison", "haircut", "fifo"] = "haircut"
    """Taint model of traces and freeze lists."""
    max_nodes: int = Field(default=20_000, ge=1)
    """A trace stops expanding past this many addresses (hubs would make it unbounded)."""


class Profile(_Section):
    """The whole file. Each guard adds its own section here and reads only that."""

    intel: IntelConfig = IntelConfig()
    chain: ChainConfig = ChainConfig()


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
