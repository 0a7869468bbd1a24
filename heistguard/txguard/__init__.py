"""The transaction guard: decode an outgoing EVM transaction, Safe transaction or signature request
offline, check it against intel and policy, and say plainly what it does.

Python API: `TxGuard(...).check_raw(hex)`, `.check_safe_json(text)`, `.check_typed_data(text)`,
`.check_message(...)`; each returns a `TxCheck` (decoded request, findings, policy decision, verdict).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heistguard.txguard.engine import TxCheck, TxGuard

__all__ = ["TxCheck", "TxGuard"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the rule catalogue imports this package, and every command reads the catalogue,
    # so the decoders (eth-account and friends) must not load for commands of other guards.
    if name in __all__:
        from heistguard.txguard import engine

        return getattr(engine, name)
    raise AttributeError(name)
