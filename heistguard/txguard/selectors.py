"""The selector table: the bundled one (data/selectors.tsv, with its source) plus ABIs the user supplies.

A selector not in the table is shown as unknown; it is never guessed from a partial match.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from eth_abi.grammar import TupleType, parse
from eth_hash.auto import keccak

from heistguard.errors import BadInput


@dataclass(frozen=True, slots=True)
class Signature:
    selector: str
    signature: str
    types: tuple[str, ...]
    names: tuple[str, ...]
    category: str
    risk: str
    source: str


def split_types(signature: str) -> tuple[str, ...]:
    """The canonical argument types of `name(type,...)`, tuples kept whole."""
    args = signature[signature.index("(") :]
    if args == "()":
        return ()
    parsed = parse(args)
    if not isinstance(parsed, TupleType):  # pragma: no cover - parse of "(...)" is always a tuple
        raise ValueError(signature)
    return tuple(component.to_type_str() for component in parsed.components)


def selector_of(signature: str) -> str:
    return "0x" + keccak(signature.encode())[:4].hex()


class SelectorTable:
    """Selector -> signature; user ABI entries take precedence over the bundled ones."""

    def __init__(self, entries: dict[str, Signature]) -> None:
        self.entries = entries

    def get(self, selector: str) -> Signature | None:
        return self.entries.get(selector)

    def with_abi_files(self, paths: list[Path]) -> SelectorTable:
        merged = dict(self.entries)
        for path in paths:
            merged.update(read_abi(path))
        return SelectorTable(merged)

    def __len__(self) -> int:
        return len(self.entries)


@cache
def bundled_table() -> SelectorTable:
    text = resources.files("heistguard.txguard").joinpath("data/selectors.tsv").read_text("utf-8")
    entries: dict[str, Signature] = {}
    for line in text.splitlines():
        if not line.startswith("0x"):
            continue
        selector, signature, category, risk, *_ = line.split("\t")
        types = split_types(signature)
        entries[selector] = Signature(selector, signature, types, (), category, risk, "bundled")
    return SelectorTable(entries)


def _abi_type(item: dict[str, object], where: str) -> str:
    kind = item.get("type")
    if not isinstance(kind, str):
        raise BadInput("malformed ABI", where, "an input has no type")
    if kind.startswith("tuple"):
        components = item.get("components")
        if not isinstance(components, list):
            raise BadInput("malformed ABI", where, "a tuple input has no components")
        inner = ",".join(_abi_type(c, where) for c in components if isinstance(c, dict))
        return f"({inner}){kind[5:]}"
    return kind


def read_abi(path: Path) -> dict[str, Signature]:
    """Function entries of a JSON ABI file (a list, or an object with an "abi" list as Foundry/Hardhat write)."""
    where = str(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise BadInput("cannot read ABI file", where, exc.strerror or str(exc)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput("malformed ABI JSON", where, str(exc)) from None
    if isinstance(data, dict):
        data = data.get("abi")
    if not isinstance(data, list):
        raise BadInput("malformed ABI", where, "expected a list of ABI entries")
    out: dict[str, Signature] = {}
    for entry in data:
        if not isinstance(entry, dict) or entry.get("type") != "function":
            continue
        name = entry.get("name")
        inputs = entry.get("inputs", [])
        if not isinstance(name, str) or not isinstance(inputs, list):
            raise BadInput("malformed ABI", where, "a function entry has no name or inputs")
        types = tuple(_abi_type(i, where) for i in inputs if isinstance(i, dict))
        names = tuple(str(i.get("name") or f"arg{n}") for n, i in enumerate(inputs) if isinstance(i, dict))
        signature = f"{name}({','.join(types)})"
        try:
            split_types(signature)
        except Exception as exc:  # eth-abi grammar errors come in several classes
            raise BadInput("malformed ABI", where, f"{signature}: {exc}") from None
        sel = selector_of(signature)
        out[sel] = Signature(sel, signature, types, names, "user-abi", "unknown", f"abi:{path.name}")
    return out
