"""Trigger words of every detector, as YARA rules that run in the scanner's one yara-x pass per file
(Aho-Corasick over all words at once), so each detector's real check only runs on the few files
that contain one of its words."""

from __future__ import annotations

from collections.abc import Iterable

from heistguard.artifacts.detectors.base import Detector


def _yara_string(literal: bytes) -> str:
    out = []
    for byte in literal:
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\x{byte:02x}")
    return '"' + "".join(out) + '"'


class Triggers:
    """The YARA source of the detectors' trigger words, and which detectors a file's matches name."""

    def __init__(self, detectors: Iterable[Detector]) -> None:
        rules = []
        self.rule_ids: dict[str, str] = {}
        for index, detector in enumerate(detectors):
            if not detector.triggers:
                continue
            name = f"trigger_{index}"
            self.rule_ids[name] = detector.rule.id
            strings = "\n".join(f"    $t{i} = {_yara_string(t)}" for i, t in enumerate(detector.triggers))
            rules.append(f"rule {name} {{\n  strings:\n{strings}\n  condition:\n    any of them\n}}")
        self.source = "\n".join(rules)

    def triggered(self, identifiers: Iterable[str]) -> frozenset[str]:
        """Rule ids of the detectors whose trigger rules matched."""
        return frozenset(self.rule_ids[i] for i in identifiers if i in self.rule_ids)
