"""mail.lure-prize: a prize, gift card or reward the reader has "won" or must collect, or a parcel held for a fee."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import phrases, theme_finding

RULE = Rule(
    id="mail.lure-prize",
    severity=Severity.LOW,
    title="prize, gift-card or held-parcel lure",
    rationale="'You have won', 'your gift card is waiting', 'your points expire today', 'your parcel is held "
    "until you pay the customs fee': a reward or a small fee is the bait for card details and sign-ins. "
    "Marketing uses some of the words, so two distinct phrases are needed.",
    attack=("T1566.002", "T1656"),
)

# English, German, Portuguese, Spanish, French, Dutch and Japanese.
PATTERN = phrases(
    (
        r"\byou(?:'ve| have) (?:been selected|won|been chosen)\b|\b(?:você foi|has sido|sie wurden) "
        r"(?:selecionad[oa]|seleccionad[oa]|ausgewählt)\b",
        r"\b(?:congratulations|parabéns|glückwunsch|felicidades|félicitations|gefeliciteerd)\b",
        r"\b(?:gift ?card|e-?gift|voucher|gutschein|cart[ãa]o[- ]presente|vale[- ]presente|tarjeta regalo|"
        r"cadeaukaart|bon d'achat)\b",
        r"\b(?:free|gratis|grátis|kostenlos|gratuit|gratuito) (?:gift|reward|prize|iphone|prêmio|geschenk|cadeau|"
        r"brinde|regalo)\b|\b(?:prize|prêmio|premio|gewinn|prix|cadeau) (?:is waiting|awaits|wartet|aguarda)\b",
        r"\b(?:enter to win|chance to win|sorteio|gewinnspiel|sorteo|tirage au sort|winactie)\b",
        r"\b(?:reward|loyalty|bonus) points?\b|\b(?:points|miles|pontos|punkte|puntos) (?:expire|expiring|vencem|"
        r"verfallen|caducan|expirent)\b",
        r"\b(?:parcel|package|shipment|delivery) (?:could not|couldn't|cannot|can't|was not|has been) (?:be )?"
        r"(?:delivered|held|returned|suspended|on hold)\b|\bpending (?:delivery|shipment|package)\b",
        r"\b(?:customs|delivery|shipping|redelivery|re-delivery) (?:fee|charge|duty|payment)\b|"
        r"\btaxa (?:de entrega|alfandeg[áa]ria|de importa[çc][ãa]o)\b|\bzollgebühr",
        r"\b(?:paket|sendung) (?:konnte nicht|wurde nicht|ist unterwegs)|\b(?:encomenda|pacote|objeto) "
        r"(?:não pôde|retid[oa]|pendente|aguardando)",
        r"当選|ギフトカード|ポイント(?:が|の)?(?:失効|有効期限)|不在(?:通知|連絡)|再配達",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    return theme_finding(RULE, PATTERN, message, context, "reward / parcel bait")
