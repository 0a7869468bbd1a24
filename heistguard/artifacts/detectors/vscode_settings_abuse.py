"""Workspace `.vscode/settings.json` that disables VS Code's safety prompts or points a tool the
editor runs by itself at a program inside the repo."""

from __future__ import annotations

import json
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.detectors.vscode_autorun_task import parse_jsonc
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.vscode-settings-abuse",
    severity=Severity.MEDIUM,
    title="Workspace settings turn off safety prompts or run a program from the repo",
    rationale="Workspace settings travel with a repo. Turning on automatic tasks or off workspace trust "
    "removes the prompt that stands between opening a folder and running its code; settings that name an "
    "interpreter, git, linter or terminal program inside the repo make the editor run it unasked.",
    attack=("T1204.002", "T1574"),
    references=("https://code.visualstudio.com/docs/editor/workspace-trust",),
)

# Settings that remove a prompt: (key, the dangerous value).
_PROMPT_OFF = {
    "task.allowAutomaticTasks": "on",
    "security.workspace.trust.enabled": False,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.untrustedFiles": "open",
}
# Settings whose value is a program the editor or an extension starts on its own.
_PROGRAM_KEYS = (
    "python.defaultInterpreterPath",
    "python.pythonPath",
    "git.path",
    "eslint.nodePath",
    "eslint.runtime",
    "php.validate.executablePath",
    "go.goroot",
    "go.alternateTools",
    "rust-analyzer.server.path",
    "jest.jestCommandLine",
    "terminal.integrated.shell.linux",
    "terminal.integrated.shell.osx",
    "terminal.integrated.shell.windows",
    "terminal.integrated.shellArgs.linux",
    "terminal.integrated.shellArgs.osx",
    "terminal.integrated.shellArgs.windows",
    "terminal.integrated.automationProfile.linux",
    "terminal.integrated.automationProfile.osx",
    "terminal.integrated.automationProfile.windows",
)
_IN_REPO = ("./", ".\\", "${workspaceFolder}", "${workspaceRoot}")


def _points_into_repo(value: object) -> bool:
    text = json.dumps(value) if not isinstance(value, str) else value
    return any(marker in text for marker in _IN_REPO) or (
        isinstance(value, str) and not value.startswith(("/", "~")) and "/" in value
    )


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    settings = parse_jsonc(target.text)
    if not isinstance(settings, dict):
        return
    for key, bad in _PROMPT_OFF.items():
        if key in settings and settings[key] == bad:
            offset = target.text.find(f'"{key}"')
            yield RULE.finding(
                f"`{key}` set to {json.dumps(bad)}: the safety prompt is off",
                [target.evidence(offset)],
                severity=Severity.HIGH,
            )
    for key in _PROGRAM_KEYS:
        if key in settings and _points_into_repo(settings[key]):
            offset = target.text.find(f'"{key}"')
            yield RULE.finding(f"`{key}` runs a program from the repo", [target.evidence(offset)])
    env = {k: v for k, v in settings.items() if k.startswith("terminal.integrated.env.") and isinstance(v, dict)}
    for key, values in env.items():
        options = str(values.get("NODE_OPTIONS", "")) + str(values.get("PYTHONSTARTUP", ""))
        if "--require" in options or "-r " in options or options.endswith(".py"):
            offset = target.text.find(f'"{key}"')
            yield RULE.finding(
                f"`{key}` preloads code into every terminal", [target.evidence(offset)], severity=Severity.HIGH
            )


DETECTOR = Detector(
    rule=RULE,
    applies=lambda t: t.name == "settings.json" and t.inner.endswith(".vscode/settings.json"),
    check=_check,
    bad=(
        Sample(".vscode/settings.json", b'{\n  // needed for the test\n  "task.allowAutomaticTasks": "on"\n}\n'),
        Sample(".vscode/settings.json", b'{"python.defaultInterpreterPath": "./tools/bin/python"}'),
        Sample(".vscode/settings.json", b'{"terminal.integrated.env.linux": {"NODE_OPTIONS": "--require ./lib/x.js"}}'),
    ),
    good=(
        Sample(".vscode/settings.json", b'{"editor.formatOnSave": true, "task.allowAutomaticTasks": "off"}'),
        Sample(".vscode/settings.json", b'{"python.defaultInterpreterPath": "/usr/bin/python3"}'),
    ),
)
