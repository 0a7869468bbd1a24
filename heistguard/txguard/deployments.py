"""Pinned official Safe deployments: the only contracts a Safe may DELEGATECALL without alarm, and the
singletons a Safe may legitimately point at.

Source: github.com/safe-global/safe-deployments, src/assets/v*/…json, commit
d0989c95929c76e1723121566b3f2b764ffb94ee (2026-08-17), read 2026-11-26. "canonical" and "eip155" are the
two deterministic deployment addresses the repository lists for Ethereum mainnet (and most chains).
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "https://github.com/safe-global/safe-deployments/tree/d0989c95929c76e1723121566b3f2b764ffb94ee/src/assets"


@dataclass(frozen=True, slots=True)
class Deployment:
    name: str
    version: str
    address: str
    changes_control: bool = False  # a migration library: trusted code, but it swaps the singleton


_LIBRARIES = (
    ("MultiSend", "1.1.1", "0x8D29bE29923b68abfDD21e541b9374737B49cdAD"),
    ("CreateCall", "1.1.1", "0x8538FcBccba7f5303d2C679Fa5d7A629A8c9bf4A"),
    ("MultiSend", "1.3.0", "0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761"),
    ("MultiSend", "1.3.0 (eip155)", "0x998739BFdAAdde7C933B942a68053933098f9EDa"),
    ("MultiSendCallOnly", "1.3.0", "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D"),
    ("MultiSendCallOnly", "1.3.0 (eip155)", "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B"),
    ("SignMessageLib", "1.3.0", "0xA65387F16B013cf2Af4605Ad8aA5ec25a2cbA3a2"),
    ("SignMessageLib", "1.3.0 (eip155)", "0x98FFBBF51bb33A056B08ddf711f289936AafF717"),
    ("CreateCall", "1.3.0", "0x7cbB62EaA69F79e6873cD1ecB2392971036cFAa4"),
    ("CreateCall", "1.3.0 (eip155)", "0xB19D6FFc2182150F8Eb585b79D4ABcd7C5640A9d"),
    ("SimulateTxAccessor", "1.3.0", "0x59AD6735bCd8152B84860Cb256dD9e96b85F69Da"),
    ("SimulateTxAccessor", "1.3.0 (eip155)", "0x727a77a074D1E6c4530e814F89E618a3298FC044"),
    ("MultiSend", "1.4.1", "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526"),
    ("MultiSendCallOnly", "1.4.1", "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"),
    ("SignMessageLib", "1.4.1", "0xd53cd0aB83D845Ac265BE939c57F53AD838012c9"),
    ("CreateCall", "1.4.1", "0x9b35Af71d77eaf8d7e40252370304687390A1A52"),
    ("SimulateTxAccessor", "1.4.1", "0x3d4BA2E0884aa488718476ca2FB8Efc291A46199"),
    ("MultiSend", "1.5.0", "0x218543288004CD07832472D464648173c77D7eB7"),
    ("MultiSendCallOnly", "1.5.0", "0xA83c336B20401Af773B6219BA5027174338D1836"),
    ("SignMessageLib", "1.5.0", "0x4FfeF8222648872B3dE295Ba1e49110E61f5b5aa"),
    ("CreateCall", "1.5.0", "0x2Ef5ECfbea521449E4De05EDB1ce63B75eDA90B4"),
    ("SimulateTxAccessor", "1.5.0", "0x07EfA797c55B5DdE3698d876b277aBb6B893654C"),
)
_MIGRATIONS = (
    ("SafeMigration", "1.4.1", "0x526643F69b81B008F46d95CD5ced5eC0edFFDaC6"),
    ("SafeToL2Migration", "1.4.1", "0xfF83F6335d8930cBad1c0D439A841f01888D9f69"),
    ("SafeToL2Setup", "1.4.1", "0xBD89A1CE4DDe368FFAB0eC35506eEcE0b1fFdc54"),
    ("SafeMigration", "1.5.0", "0x6439e7ABD8Bb915A5263094784C5CF561c4172AC"),
    ("SafeToL2Setup", "1.5.0", "0x900C7589200010D6C6eCaaE5B06EBe653bc2D82a"),
)

OFFICIAL: dict[str, Deployment] = {
    address.lower(): Deployment(name, version, address) for name, version, address in _LIBRARIES
} | {address.lower(): Deployment(name, version, address, True) for name, version, address in _MIGRATIONS}

MULTISEND_NAMES = ("MultiSend", "MultiSendCallOnly")


def official(address: str | None) -> Deployment | None:
    """The official Safe library at `address`, if it is one."""
    return OFFICIAL.get(address.lower()) if address else None
