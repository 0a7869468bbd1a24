"""Screening: the address transacted with a sanctioned or attributed address, directly or within N hops."""

from __future__ import annotations

from heistguard.chain.screen import ScreenResult
from heistguard.findings import Evidence, Finding, IndicatorRef, Location, Rule, Severity

DIRECT_EXPOSURE = Rule(
    id="chain.direct-exposure",
    severity=Severity.HIGH,
    title="Address transacted directly with a sanctioned or attributed address",
    rationale="A counterparty that paid or was paid by a listed address holds tainted funds or is part of the "
    "laundering; regulators expect the exposure to be found and reviewed before dealing with it.",
    references=(
        "https://home.treasury.gov/system/files/126/ofac_sanctions_compliance_guidance_for_virtual_currency.pdf",
    ),
)
INDIRECT_EXPOSURE = Rule(
    id="chain.indirect-exposure",
    severity=Severity.MEDIUM,
    title="Address is a few hops from a sanctioned or attributed address",
    rationale="Launderers put fresh addresses between stolen funds and the exchange; exposure two or three hops "
    "away is how a deposit from a heist looks at the exchange's door.",
)
RULES = (DIRECT_EXPOSURE, INDIRECT_EXPOSURE)


def detect(result: ScreenResult) -> list[Finding]:
    findings = []
    for exposure in sorted(result.exposures, key=lambda x: (x.hops, x.direction)):
        rule = DIRECT_EXPOSURE if exposure.hops == 1 else INDIRECT_EXPOSURE
        verb = "received funds from" if exposure.direction == "received-from" else "sent funds to"
        title = f"{verb} {exposure.label.entity} ({exposure.label.category}) {exposure.listed}" + (
            f" via {exposure.hops - 1} intermediate address(es)" if exposure.hops > 1 else ""
        )
        evidence = [
            Evidence(
                location=Location(logical=f"tx {step['tx']}"),
                text=f"{step['time']} {step['from']} -> {step['to']} {step['amount']} {step['asset']}",
            )
            for step in exposure.path
        ]
        evidence.append(Evidence(location=Location(logical="intel"), text=exposure.label.statement))
        findings.append(
            rule.finding(
                title=title,
                evidence=evidence,
                indicators=[
                    IndicatorRef(type="address", value=exposure.address),
                    IndicatorRef(type="address", value=exposure.listed),
                ],
            )
        )
    return findings
