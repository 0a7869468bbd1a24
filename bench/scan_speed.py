"""Artifact scanner throughput on a large real tree, with GuardDog's time on the same input.

Builds the tree unless given one: `npm install --ignore-scripts` of popular packages from the npm
registry into a temporary folder (nothing installed is run). Then times `heistguard scan` over it
with 1 and with N worker processes, and GuardDog (`pip install guarddog` into a venv made by this
script) with `guarddog npm scan --no-sandbox` on the same folder. Prints MB/s and files/s, wall and
CPU time; not a test.

    .venv/bin/python bench/scan_speed.py [--tree DIR] [--workers N] [--guarddog-timeout S] [--no-guarddog]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from heistguard.artifacts.scanner import Scanner

PACKAGES = [
    "next",
    "react",
    "react-dom",
    "typescript",
    "webpack",
    "eslint",
    "jest",
    "@babel/core",
    "ethers",
    "web3",
    "hardhat",
    "@angular/core",
    "@angular/compiler-cli",
    "aws-sdk",
    "@mui/material",
    "lodash",
    "moment",
    "rxjs",
    "@solana/web3.js",
]


def build_tree(where: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    (where / "package.json").write_text('{"name": "hg-bench-tree", "private": true}\n')
    command = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES]
    print("$ " + " ".join(command), flush=True)
    subprocess.run(command, cwd=where, check=True)
    return where / "node_modules"


def tree_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                size += os.path.getsize(path)
    return files, size


def warm(root: Path) -> None:
    """Read every file once so each tool starts from the same page cache, not from the disk."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    while handle.read(1 << 20):
                        pass


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_heistguard(tree: Path, workers: int) -> tuple[float, float, int]:
    scanner = Scanner(workers=workers)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    verdict = scanner.scan_path(tree)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    worst = verdict.worst.value if verdict.worst else "none"
    print(f"  heistguard workers={workers}: verdict {verdict.verdict}, {len(verdict.findings)} findings, worst {worst}")
    return wall, cpu, scanner.files


def time_guarddog(tree: Path, timeout: float, venv: Path) -> tuple[float | None, float, str]:
    if not (venv / "bin" / "guarddog").exists():
        print(f"$ python -m venv {venv} && pip install guarddog", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "guarddog"], check=True)
    version = subprocess.run([str(venv / "bin" / "guarddog"), "--version"], capture_output=True, text=True).stdout
    command = [str(venv / "bin" / "guarddog"), "npm", "scan", "--no-sandbox", "--output-format", "json", str(tree)]
    print("$ " + " ".join(command), flush=True)
    name = version.strip().splitlines()[-1] if version.strip() else "?"
    cpu0, started = cpu_seconds(), time.perf_counter()
    try:
        subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, cpu_seconds() - cpu0, name
    return time.perf_counter() - started, cpu_seconds() - cpu0, name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, help="scan this folder instead of building one")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--guarddog-timeout", type=float, default=1800.0)
    parser.add_argument("--guarddog-venv", type=Path, help="reuse a venv that has guarddog (default: a fresh one)")
    parser.add_argument("--no-guarddog", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hg-bench-") as tmp:
        tree = args.tree or build_tree(Path(tmp) / "tree")
        files, size = tree_size(tree)
        mb = size / 1e6
        print(
            f"tree: {tree}: {files:,} files, {mb:,.0f} MB; machine: {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        results = {}
        for workers in sorted({1, args.workers}):
            warm(tree)
            wall, cpu, scanned = time_heistguard(tree, workers)
            results[workers] = wall
            print(
                f"  heistguard workers={workers}: {wall:6.1f} s wall, {cpu:6.1f} s CPU: {mb / wall:6.1f} MB/s, "
                f"{scanned / wall:,.0f} files/s ({mb / cpu:.1f} MB per CPU-second)"
            )
        if not args.no_guarddog:
            venv = args.guarddog_venv or Path(tmp) / "guarddog-venv"
            warm(tree)
            gd_wall, gd_cpu, version = time_guarddog(tree, args.guarddog_timeout, venv)
            best = min(results.values())
            if gd_wall is None:
                print(
                    f"  guarddog {version}: did not finish in {args.guarddog_timeout:.0f} s "
                    f"(>= {args.guarddog_timeout / best:.0f}x heistguard's time)"
                )
            else:
                print(
                    f"  guarddog {version}: {gd_wall:6.1f} s wall, {gd_cpu:6.1f} s CPU: {mb / gd_wall:6.1f} MB/s, "
                    f"{files / gd_wall:,.0f} files/s; heistguard is {gd_wall / best:.1f}x faster"
                )
        if args.tree is None:
            shutil.rmtree(Path(tmp) / "tree", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
