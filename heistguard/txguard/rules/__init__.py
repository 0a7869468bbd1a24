"""The transaction guard's checks: each rule lives in its own module with `RULE` and `check(request, ctx)`."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from heistguard.findings import Finding, Rule
from heistguard.txguard.context import Context
from heistguard.txguard.model import Request
from heistguard.txguard.rules import (
    address_poisoning,
    approval_for_all,
    approval_unknown_spender,
    approval_unlimited,
    blind_signature,
    change_of_control,
    contract_creation,
    decoded,
    delegatecall_untrusted,
    intel_parties,
    order_pays_others,
    replayable_signature,
    safe_gas_price,
    safe_gas_refund,
    safe_hash_mismatch,
    safe_nonce_conflict,
    selector_mismatch,
    send_to_token_contract,
    set_code_delegation,
    swap_recipient,
    unknown_function,
)

CHECK_MODULES: tuple[ModuleType, ...] = (
    decoded,
    delegatecall_untrusted,
    change_of_control,
    approval_unknown_spender,
    approval_unlimited,
    approval_for_all,
    safe_gas_refund,
    safe_gas_price,
    safe_hash_mismatch,
    selector_mismatch,
    send_to_token_contract,
    swap_recipient,
    address_poisoning,
    set_code_delegation,
    order_pays_others,
    blind_signature,
    unknown_function,
    contract_creation,
    replayable_signature,
    safe_nonce_conflict,
    intel_parties,
)
CHECKS: tuple[Callable[[Request, Context], list[Finding]], ...] = tuple(m.check for m in CHECK_MODULES)
DETECTION_RULES: tuple[Rule, ...] = tuple(m.RULE for m in CHECK_MODULES if isinstance(m.RULE, Rule))
