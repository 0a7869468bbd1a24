"""Every rule of every guard, by id: explicit lists, no import-time discovery."""

from __future__ import annotations

from functools import cache

from heistguard.artifacts.rules import RULES as ARTIFACT_RULES
from heistguard.chain.rules import RULES as CHAIN_RULES
from heistguard.findings import Rule
from heistguard.intel.rules import RULES as INTEL_RULES
from heistguard.mail.model import MODEL_RULE as MAIL_MODEL_RULE
from heistguard.mail.rules import RULES as MAIL_RULES
from heistguard.txguard.catalog import RULES as TX_RULES


@cache
def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule in (*INTEL_RULES, *MAIL_RULES, MAIL_MODEL_RULE, *TX_RULES, *ARTIFACT_RULES, *CHAIN_RULES):
        if rule.id in rules:
            raise ValueError(f"duplicate rule id {rule.id}")
        rules[rule.id] = rule
    return dict(sorted(rules.items()))
