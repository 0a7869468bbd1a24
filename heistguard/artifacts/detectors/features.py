"""Trigger words of every detector, found in one Aho-Corasick pass per file by yara-x, so each
detector's real check only runs on the few files that contain one of its words."""

from __future__ import annotations

from collections.abc import Iterable

import yara_x

from heistguard.artifacts.detectors.base import Detector


def _yara_string(literal: bytes) -> str:
    out = []
    for byte in literal:
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\x{byte:02x}")
    return '"' + "".join(out) + '"'


def _rule_name(index: int) -> str:
    return f"trigger_{index}"


class TriggerScanner:
    """Which detectors' triggers a file contains; detectors without triggers always run."""

    def __init__(self, detectors: Iterable[Detector]) -> None:
        self.detectors = tuple(detectors)
        rules = []
        for index, detector in enumerate(self.detectors):
            if not detector.triggers:
                continue
            strings = "\n".join(f"    $t{i} = {_yara_string(t)}" for i, t in enumerate(detector.triggers))
            rules.append(f"rule {_rule_name(index)} {{\n  strings:\n{strings}\n  condition:\n    any of them\n}}")
        self._names = {_rule_name(i): d.rule.id for i, d in enumerate(self.detectors)}
        self.scanner = yara_x.Scanner(yara_x.compile("\n".join(rules))) if rules else None

    def triggered(self, data: bytes) -> frozenset[str]:
        """Rule ids of the detectors whose trigger words appear in `data`."""
        if self.scanner is None:
            return frozenset()
        return frozenset(self._names[m.identifier] for m in self.scanner.scan(data).matching_rules)
