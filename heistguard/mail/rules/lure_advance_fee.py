"""mail.lure-advance-fee: an inheritance, donation, lottery or compensation fund waiting for the reader (advance-fee
fraud, "419")."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext, at
from heistguard.mail.domains import FREE_MAIL, registrable
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import hits, phrases

RULE = Rule(
    id="mail.lure-advance-fee",
    severity=Severity.LOW,
    title="advance-fee fraud story (inheritance, donation, lottery, fund release)",
    rationale="A stranger's story of money waiting for the reader (an inheritance, a donation, a lottery "
    "win, a compensation fund) followed by a fee or personal details to release it. The story and the sum "
    "together are the shape; a reply address at a free mailbox makes it stronger.",
    attack=("T1566", "T1656"),
)

STORY = phrases(
    (
        r"\b(?:beneficiar(?:y|ies|io|ia)|inheritance|heran[çc]a|next of kin|herencia|erbschaft|legs? testamentaire)\b",
        r"\b(?:donation|doa[çc][ãa]o|donaci[óo]n|spende) (?:of|de|von|para|for|to)\b|\bcharity donation\b",
        r"\b(?:lottery|loteria|loter[íi]a|lotterie|jackpot|sweepstakes?) (?:winner|win|prize|award|ganhador|ganador)",
        r"\b(?:compensation|compensa[çc][ãa]o|indemnizaci[óo]n|entschädigung) (?:fund|payment|pagamento)s?\b",
        r"\b(?:unclaimed|dormant|abandoned) (?:fund|funds|account|deposit|consignment)\b",
        r"\bdiplomatic (?:bag|courier)\b",
        r"\b(?:barrister|next of kin|late (?:husband|client|father)|deceased (?:client|customer)|my late)\b",
        r"\b(?:transfer|release|remit) (?:of )?(?:the |this |your )?(?:funds?|sum|amount)\b",
        r"\bwestern union\b|\bmoneygram\b|\batm (?:master)?card\b|\bbank draft\b",
    )
)
SUM = phrases(
    (
        r"\b\d+(?:[.,]\d+)*\s*(?:million|millones|milh[õo]es|millionen|millions|m)\s*(?:usd|us\$|dollars?|"
        r"euros?|eur|d[óo]lares|pounds|gbp)?\b",
        r"(?:us\$|usd|\$|€|£)\s?\d{1,3}(?:[.,]\d{3}){2,}",
        r"\b\d{1,3}(?:[.,]\d{3}){2,}(?:[.,]\d{2})?\s*(?:usd|dollars?|euros?|eur|d[óo]lares|gbp)\b",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    story = hits(STORY, message)
    if not story:
        return []
    money = hits(SUM, message)
    if not money:
        return []
    free_reply = any(registrable(a.domain) in FREE_MAIL for a in message.reply_to if a.domain)
    strong = len(story) >= 2 or free_reply
    return [
        RULE.finding(
            f"money-waiting story ({', '.join(story[:3])}) with a sum ({money[0]})",
            [at(message, "body", "; ".join((story + money)[:6]))],
            severity=Severity.MEDIUM if strong else None,
        )
    ]
