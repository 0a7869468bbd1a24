"""Every artifact rule, both ways: it fires on each of its inert bad samples and stays silent on its
good ones, run through the whole scanner (walk, file typing, detectors, YARA) as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from heistguard.artifacts.detectors import DETECTORS
from heistguard.artifacts.detectors.base import Detector, Sample
from heistguard.artifacts.rules import RULES
from heistguard.artifacts.scanner import Scanner
from heistguard.catalog import all_rules
from heistguard.config import ArtifactsConfig

FIXTURES = Path(__file__).parent.parent / "fixtures" / "artifacts"

BAD = [pytest.param(d, s, id=f"{d.rule.id}:{i}") for d in DETECTORS for i, s in enumerate(d.bad)]
GOOD = [pytest.param(d, s, id=f"{d.rule.id}:{i}") for d in DETECTORS for i, s in enumerate(d.good)]


def _scanner_for(detector: Detector, shared: Scanner) -> Scanner:
    if detector.sample_config is None:
        return shared
    return Scanner(config=detector.sample_config, use_yara=False)


def _rule_ids(scanner: Scanner, sample: Sample) -> set[str]:
    verdict = scanner.scan_bytes(sample.name, sample.content)
    assert verdict.error is None
    return {f.rule_id for f in verdict.findings}


@pytest.mark.parametrize(("detector", "sample"), BAD)
def test_rule_fires_on_bad_sample(detector: Detector, sample: Sample, scanner: Scanner) -> None:
    assert detector.rule.id in _rule_ids(_scanner_for(detector, scanner), sample)


@pytest.mark.parametrize(("detector", "sample"), GOOD)
def test_rule_silent_on_good_sample(detector: Detector, sample: Sample, scanner: Scanner) -> None:
    assert detector.rule.id not in _rule_ids(_scanner_for(detector, scanner), sample)


def test_every_detector_has_samples_both_ways() -> None:
    for detector in DETECTORS:
        assert detector.good, detector.rule.id
        # office-macro's bad samples are real documents under tests/fixtures/artifacts/macros/
        assert detector.bad or detector.rule.id == "artifacts.office-macro", detector.rule.id


def test_rules_are_in_the_catalogue_with_attack_ids_where_one_applies() -> None:
    catalogue = all_rules()
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert catalogue[rule.id] == rule
        assert rule.id.startswith("artifacts.")
        assert len(rule.rationale) > 80
    assert all(d.rule.attack for d in DETECTORS)


def test_samples_fire_inside_a_tree_too(tmp_path: Path, scanner: Scanner) -> None:
    """The same bad samples written to disk under their names are found by a directory walk."""
    for index, detector in enumerate(DETECTORS):
        if detector.sample_config is not None or not detector.bad:
            continue
        sample = detector.bad[0]
        path = tmp_path / f"case{index}" / sample.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.content)
        verdict = scanner.scan_path(path.parents[len(Path(sample.name).parts) - 1])
        assert detector.rule.id in {f.rule_id for f in verdict.findings}, detector.rule.id
        located = next(f for f in verdict.findings if f.rule_id == detector.rule.id)
        assert located.evidence[0].location.path and located.evidence[0].location.path.endswith(Path(sample.name).name)


@pytest.mark.parametrize(
    ("name", "severity"),
    [("oleform-PR314.docm", "high"), ("sample_with_vba.ppt", "medium"), ("harmless-clean.docm", None)],
)
def test_office_macros_from_real_documents(name: str, severity: str | None, scanner: Scanner) -> None:
    verdict = scanner.scan_bytes(name, (FIXTURES / "macros" / name).read_bytes())
    macro = [f for f in verdict.findings if f.rule_id == "artifacts.office-macro"]
    if severity is None:
        assert macro == []
    else:
        assert [f.severity.value for f in macro] == [severity]


def test_dependency_confusion_needs_the_profile(scanner: Scanner) -> None:
    sample = Sample("package.json", b'{"name": "app", "dependencies": {"heistcorp-signer": "^1.0.0"}}')
    assert "artifacts.dependency-confusion" not in _rule_ids(scanner, sample)
    configured = Scanner(config=ArtifactsConfig(internal_packages=("heistcorp-signer",)), use_yara=False)
    assert "artifacts.dependency-confusion" in _rule_ids(configured, sample)
