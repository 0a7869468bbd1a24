"""Every rule the artifact scanner reports, for the catalogue (SARIF, --explain)."""

from __future__ import annotations

from heistguard.artifacts.detectors import DETECTORS
from heistguard.artifacts.detectors.walk_problems import RULES as WALK_RULES
from heistguard.artifacts.yara import RULES as YARA_RULES
from heistguard.findings import Rule

RULES: tuple[Rule, ...] = (*(d.rule for d in DETECTORS), *WALK_RULES, *YARA_RULES)
