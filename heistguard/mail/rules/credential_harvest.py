"""mail.credential-harvest: a form or link shaped to collect a password, seed phrase or wallet approval."""

from __future__ import annotations

import re

from heistguard.findings import Finding, IndicatorRef, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import host_of
from heistguard.mail.message import Message
from heistguard.mail.rules._links import FREE_HOSTING, on
from heistguard.mail.textscan import search

RULE = Rule(
    id="mail.credential-harvest",
    severity=Severity.HIGH,
    title="credential-harvest form or link",
    rationale="Mail cannot sign anyone in. A form inside the message, a data: URL page, or a sign-in / verify / "
    "wallet-connect page on free hosting or someone else's domain asks the reader to hand over what the "
    "attacker needs to take the wallet or the account.",
    attack=("T1566.002", "T1598.003"),
)

ASK_SCAN = 20_000  # characters of body text read for the ask
_ASKS = re.compile(
    r"(?:^|[/._?=&-])(?:log-?in|sign-?in|signon|sso|auth|verify|verification|validate|secure|account|update|"
    r"unlock|recover|restore|reset|kyc|wallet|connect|seed|claim|airdrop|webmail|password|mfa|2fa)(?:$|[/._?=&-])",
    re.I,
)
_ASKS_TEXT = re.compile(
    r"\b(?:sign in|log in|login|verify your|confirm your|update your|validate your|unlock your|restore your|"
    r"connect your wallet|seed phrase|recovery phrase|secret phrase|private key)\b|ログイン|本人確認|秘密鍵",
    re.I,
)


def check(message: Message, context: MailContext) -> list[Finding]:
    # The ask comes early, in the subject or the first screens of text (as every pretext rule reads it); it is
    # read only when a form or a free-hosted link makes it matter (most messages have neither).
    asked: list[bool] = []

    def asks_text() -> bool:
        if not asked:
            asked.append(search(_ASKS_TEXT, *message.head(ASK_SCAN)) is not None)
        return asked[0]

    for form in message.forms:
        password = form.startswith("password:")
        action = form.removeprefix("password:")
        if not (password or asks_text()):
            continue  # a search box or a newsletter sign-up form asks for nothing secret
        if action.lower().startswith(("http://", "https://", "//", "data:")) or (password and not action):
            what = "asks for a password in a form" if password else "carries a form"
            return [
                RULE.finding(
                    f"the message {what} that posts to {host_of(action) or action[:40] or 'the page itself'}",
                    [at(message, "html form", f'<form action="{action}">')],
                    severity=None if password else Severity.MEDIUM,
                )
            ]
    for link in message.links:
        if link.url.lower().startswith("data:text/html"):
            return [
                RULE.finding(
                    "a link opens a page built into the link itself (data: URL)",
                    [at(message, f"link in {link.where}", link.url[:200])],
                )
            ]
    for link in message.links:
        host = host_of(link.url)
        if not host or context.is_firm_or_brand_domain(host):
            continue
        path = link.url.split(host, 1)[-1]
        if on(host, FREE_HOSTING) and (_ASKS.search(path) or _ASKS.search(host) or asks_text()):
            return [
                RULE.finding(
                    f"a sign-in or verify page on the free host {host}",
                    [at(message, f"link in {link.where}", link.url)],
                    [IndicatorRef(type="url", value=link.url[:300])],
                )
            ]
    return []
