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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from heistguard.errors import BadInput

CONFIG_ENV = "HEISTGUARD_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IntelConfig(_Section):
    """[intel]"""

    db: Path | None = None
    """The DuckDB store file; `--db` and `$HEISTGUARD_DB` take precedence."""


class TxguardConfig(_Section):
    """[txguard]"""

    policy: Path | None = None
    """Signing policy file (TOML); `--policy` takes precedence; the built-in default applies when neither is set."""
    abi_files: list[Path] = []
    """JSON ABI files (a list, or Foundry/Hardhat artifacts with an "abi" key) whose functions decode calldata."""
    address_book: dict[str, str] = {}
    """Counterparties by name: `treasury = "0x…"`. A recipient that imitates one is flagged (address poisoning)."""
    allowlist: list[str] = []
    """Destinations a policy rule can accept with `destination = "allowlist"`."""
    wallets: list[str] = []
    """The organisation's own wallets and Safes (policy `wallet = "own"`)."""
    safe_versions: dict[str, str] = {}
    """Safe address -> contract version (`"0x…" = "1.3.0"`), used when `--safe-version` is not given."""
    trusted_delegatecall: list[str] = []
    """Extra DELEGATECALL targets to trust besides the pinned official Safe libraries."""
    trusted_spenders: list[str] = []
    """Extra spenders (routers, vaults) an approval or permit may name without a finding."""
    chain_id: int | None = None
    """Chain id for Safe hashes when neither the input nor `--chain-id` gives one."""

    @field_validator("allowlist", "wallets", "trusted_delegatecall", "trusted_spenders")
    @classmethod
    def _address_list(cls, values: list[str]) -> list[str]:
        for value in values:
            _check_evm_address(value)
        return values

    @field_validator("address_book", "safe_versions")
    @classmethod
    def _address_keys(cls, values: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for key, value in values.items():
            _check_evm_address(value if info.field_name == "address_book" else key)
        return values


_EVM_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _check_evm_address(value: str) -> None:
    if not _EVM_ADDRESS.match(value.strip()):
        raise ValueError(f"{value!r} is not an EVM address (0x and 40 hex digits)")


class ArtifactsConfig(_Section):
    """[artifacts]"""

    internal_scopes: tuple[str, ...] = ()
    """npm scopes of the firm's own packages, e.g. ["@acme"]: an unscoped dependency named like one of
    its packages (`acme-wallet` for `@acme/wallet`, or listed in `internal_packages`) is dependency confusion."""
    internal_packages: tuple[str, ...] = ()
    """Names of the firm's own unscoped npm/PyPI packages that only its private registry should serve."""
    allowed_registries: tuple[str, ...] = ()
    """Registry hosts besides the public ones (registry.npmjs.org, registry.yarnpkg.com, pypi.org) that
    `.npmrc`/`.yarnrc`/`pip.conf` may point at, e.g. ["npm.acme.internal"]."""
    max_file_mb: int = 64
    """A file's bytes read and scanned; larger files are reported and only their head is scanned."""
    max_archive_mb: int = 1024
    """Bytes unpacked from one archive, nested archives included, before the walk stops."""
    max_members: int = 5000
    """Members of one archive before the walk stops."""
    max_depth: int = 4
    """Archives nested inside archives before the walk stops."""


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
    txguard: TxguardConfig = TxguardConfig()

    artifacts: ArtifactsConfig = ArtifactsConfig()
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


def parse_toml(text: str, source: str, what: str = "TOML") -> dict[str, object]:
    """Parse TOML; a syntax error is BadInput naming `source:line` (every TOML file we read goes here)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib puts the position only in the message: "... (at line 2, column 19)".
        position = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (position.group(1) if position else None)
        raise BadInput(f"malformed {what}", f"{source}:{line}" if line else source, str(exc).split(" (at")[0]) from None


def load_profile(path: Path | None = None) -> Profile:
    """The profile at `path` (or from the environment), or the defaults when there is none."""
    path = config_path(path)
    if path is None:
        return Profile()
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise BadInput("cannot read the profile", str(path), exc.strerror or str(exc)) from None
    data = parse_toml(text, str(path))
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        line = _line_of(text, tuple(first["loc"]))
        key = ".".join(str(p) for p in first["loc"])
        where = f"{path}:{line}" if line else str(path)
        raise BadInput(f"bad profile key {key}", where, first["msg"]) from None
