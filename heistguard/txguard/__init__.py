"""The transaction guard: decode an outgoing EVM transaction, Safe transaction or signature request
offline, check it against intel and policy, and say plainly what it does.

Python API: `TxGuard(...).check_raw(hex)`, `.check_safe_json(text)`, `.check_typed_data(text)`,
`.check_message(...)`; each returns a `TxCheck` (decoded request, findings, policy decision, verdict).
"""

from __future__ import annotations

from heistguard.txguard.engine import TxCheck, TxGuard

__all__ = ["TxCheck", "TxGuard"]
