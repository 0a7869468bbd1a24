"""Dependencies a manifest declares (package.json, requirements*.txt, pyproject.toml), with where
each is written, for the rules that judge package names."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass

from heistguard.artifacts.detectors.base import Target

_NPM_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "bundleDependencies")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)
_PEP508_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True, slots=True)
class Dependency:
    ecosystem: str  # "npm" or "pypi"
    name: str
    offset: int  # where it is written in the manifest's text, -1 when unknown
    own: bool = False  # the manifest's own package name, not a dependency


def is_manifest(target: Target) -> bool:
    return target.is_text and (
        target.name == "package.json"
        or target.name == "pyproject.toml"
        or (target.name.startswith("requirements") and target.suffix in ("txt", "in"))
    )


def dependencies(target: Target) -> list[Dependency]:
    if target.name == "package.json":
        return _npm(target)
    if target.name == "pyproject.toml":
        return _pyproject(target)
    return _requirements(target)


def _offset(target: Target, name: str) -> int:
    return target.text.find(f'"{name}"')


def _npm(target: Target) -> list[Dependency]:
    try:
        manifest = json.loads(target.text)
    except ValueError:
        return []
    if not isinstance(manifest, dict):
        return []
    out = []
    own = manifest.get("name")
    if isinstance(own, str):
        out.append(Dependency("npm", own, _offset(target, "name"), own=True))
    for section in _NPM_SECTIONS:
        deps = manifest.get(section)
        if isinstance(deps, dict):
            for name, spec in deps.items():
                # `"alias": "npm:real-name@1"` installs real-name under another folder name.
                real = spec[4:].rsplit("@", 1)[0] if isinstance(spec, str) and spec.startswith("npm:") else name
                out.append(Dependency("npm", real or name, _offset(target, name)))
        elif isinstance(deps, list):
            out.extend(Dependency("npm", n, _offset(target, n)) for n in deps if isinstance(n, str))
    return out


def _requirements(target: Target) -> list[Dependency]:
    out = []
    for match in _REQUIREMENT.finditer(target.text):
        out.append(Dependency("pypi", match.group(1), match.start(1)))
    return out


def _pyproject(target: Target) -> list[Dependency]:
    try:
        data = tomllib.loads(target.text)
    except (tomllib.TOMLDecodeError, ValueError):
        return []
    names: list[str] = []
    project = data.get("project", {})
    own = project.get("name") if isinstance(project, dict) else None
    if isinstance(project, dict):
        for spec in project.get("dependencies", []) or []:
            if isinstance(spec, str) and (m := _PEP508_NAME.match(spec)):
                names.append(m.group(1))
        for group in (project.get("optional-dependencies") or {}).values():
            for spec in group if isinstance(group, list) else []:
                if isinstance(spec, str) and (m := _PEP508_NAME.match(spec)):
                    names.append(m.group(1))
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        names.extend(n for n in (poetry.get("dependencies") or {}) if n != "python")
    out = [Dependency("pypi", own, target.text.find(own), own=True)] if isinstance(own, str) else []
    return out + [Dependency("pypi", n, target.text.find(n)) for n in names]
