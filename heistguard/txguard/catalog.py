"""Every rule the transaction guard can report, for the catalogue (SARIF needs them all)."""

from __future__ import annotations

from heistguard.findings import Rule
from heistguard.txguard.policy_rule import POLICY_RULE
from heistguard.txguard.rules import DETECTION_RULES

RULES: tuple[Rule, ...] = (*DETECTION_RULES, POLICY_RULE)
