"""Typosquats: a package name one slip away from a widely used one (`reqeusts`, `lodahs`,
`etherss`), declared as a dependency or published as the package itself."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.detectors.manifest import dependencies, is_manifest
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.typosquat",
    severity=Severity.MEDIUM,
    title="Package name imitates a popular package",
    rationale="Malicious npm and PyPI packages take names one typo, swapped letter or separator away from "
    "popular ones so a hurried `npm install` or a fake coding test pulls them in. The list of popular "
    "names is in heistguard/artifacts/data/popular-*.txt with its source.",
    attack=("T1195.002",),
    references=("https://arxiv.org/abs/2005.09535",),
)

# Real, unrelated packages one edit away from a popular name (checked on npm/PyPI 2026-11-26).
_KNOWN_DISTINCT = frozenset(
    {
        "npm:exec",
        "npm:eclint",
        "npm:tslint",
        "npm:jsdoc",
        "npm:enquirer",
        "npm:eslint",
        "npm:redis",
        "npm:rxjs",
        "npm:chai",
        "npm:ethers-v5",
        "npm:colors-cli",
        "npm:chai-as-promised",
        "npm:bn.js",
        "npm:yarn",
        "npm:react-is",
        "npm:tslib",
        "npm:pg-pool",
        "npm:ws",
        "npm:sass",
        "npm:less",
        "npm:glob",
        "npm:ajv",
        "npm:got",
        "npm:joi",
        "npm:yup",
        "npm:qs",
        "npm:ms",
        "npm:ejs",
        "npm:pug",
        "npm:serve",
        "npm:vite",
        "npm:react-dom",
        "npm:preact",
        "npm:redux",
        "npm:terser",
        "npm:rollup",
        "npm:globby",
        "npm:execa",
        "npm:chalk",
        "npm:debug",
        "npm:color",
        "npm:koa",
        "npm:mkdirp",
        "npm:rimraf",
        "npm:async",
        "npm:uuid",
        "npm:nanoid",
        "npm:yaml",
        "npm:jszip",
        "npm:cheerio",
        "npm:web3",
        "npm:viem",
        "pypi:six",
        "pypi:rich",
        "pypi:toml",
        "pypi:tomli",
        "pypi:mock",
        "pypi:attrs",
        "pypi:click",
        "pypi:idna",
        "pypi:rsa",
        "pypi:httpx",
        "pypi:httpcore",
        "pypi:docker",
        "pypi:ecdsa",
        "pypi:redis",
        "pypi:pyyaml",
        "pypi:pytz",
        "pypi:pip",
        "pypi:solana",
        "pypi:solders",
        "pypi:typer",
        "pypi:vyper",
        "pypi:numpy",
        "pypi:torch",
        "pypi:keras",
        "pypi:black",
        "pypi:mypy",
        "pypi:tox",
        "pypi:flask",
        "pypi:eth-abi",
        "pypi:eth-utils",
        "pypi:eth-hash",
        "pypi:eth-typing",
        "pypi:eth-keys",
        "pypi:pillow",
        "pypi:pytest",
        "pypi:requests",
        "pypi:certifi",
        "pypi:lxml",
    }
)
_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "3": "e", "5": "s", "_": "-", ".": "-"})


@cache
def popular(ecosystem: str) -> frozenset[str]:
    text = resources.files("heistguard.artifacts.data").joinpath(f"popular-{ecosystem}.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@cache
def imitated(name: str, ecosystem: str) -> str | None:
    """The popular package `name` imitates, if any."""
    lowered = name.lower()
    names = popular(ecosystem)
    if lowered in names or f"{ecosystem}:{lowered}" in _KNOWN_DISTINCT or lowered.startswith("@types/"):
        return None
    folded = lowered.translate(_CONFUSABLE)
    for target in names:
        if len(target) < 5 or abs(len(target) - len(lowered)) > 1:
            continue  # short names have too many honest neighbours; others are more than one edit away
        if folded == target.translate(_CONFUSABLE) or _one_edit(lowered, target):
            return target
        if lowered.startswith("@") and "/" in lowered and _one_edit(lowered.split("/", 1)[1], target):
            continue  # a scoped name near a popular unscoped one is usually the project's own fork
    return None


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    for dep in dependencies(target):
        original = imitated(dep.name, dep.ecosystem)
        if original is None:
            continue
        what = "this package's own name" if dep.own else f"{dep.ecosystem} dependency"
        yield RULE.finding(
            f"{what} {dep.name!r} imitates {original!r}",
            [target.evidence(dep.offset if dep.offset >= 0 else None, f"{dep.name} (popular: {original})")],
        )


DETECTOR = Detector(
    rule=RULE,
    applies=is_manifest,
    check=_check,
    bad=(
        Sample("package.json", b'{"name": "app", "dependencies": {"ehters": "^6.0.0"}}'),
        Sample("requirements.txt", b"reqeusts==2.31.0\n"),
        Sample("package.json", b'{"name": "app", "dependencies": {"loadsh": "4.17.21"}}'),
    ),
    good=(
        Sample("package.json", b'{"name": "app", "dependencies": {"ethers": "^6.0.0", "lodash": "4.17.21"}}'),
        Sample("requirements.txt", b"requests==2.31.0\nurllib3>=2\n"),
    ),
)
