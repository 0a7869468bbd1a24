"""JSON lines: one object per input, keys in a fixed order, so reruns diff cleanly."""

from __future__ import annotations

import json
from collections.abc import Iterable

from heistguard.findings import Verdict


def verdict_to_json(verdict: Verdict) -> str:
    data = verdict.model_dump(mode="json", exclude_none=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def render_jsonl(verdicts: Iterable[Verdict]) -> str:
    return "".join(verdict_to_json(v) + "\n" for v in verdicts)
