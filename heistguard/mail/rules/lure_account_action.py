"""mail.lure-account-action: "verify your account", "your mailbox is full", "unusual sign-in": the credential-phishing
pretexts, in the languages phishing is sent in."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules._lures import phrases, theme_finding

RULE = Rule(
    id="mail.lure-account-action",
    severity=Severity.LOW,
    title="account / password / mailbox action lure",
    rationale="Credential phishing gives the reader a reason to sign in now: an account about to be "
    "suspended, a password that expires, a full mailbox, an unusual sign-in to review. Services do send "
    "such notices, so one phrase is a weak sign; two or more, or beside a link elsewhere, is the pretext.",
    attack=("T1566.002", "T1598.003"),
)

# English, German, Portuguese, Spanish, French, Dutch, Italian and Japanese: phishing aimed at a firm's
# staff arrives in their language as well as in English.
PATTERN = phrases(
    (
        r"\b(?:verify|confirm|update|validate|reactivate|unlock|restore|secure) (?:your )?(?:account|identity|"
        r"details|information|password|mailbox|e-?mail|billing|payment (?:details|method|information))\b",
        r"\b(?:account|mailbox|e-?mail|password|access)(?: access)? (?:will be |has been |is |was |have been )?"
        r"(?:suspended|locked|disabled|deactivated|closed|expired?|expiring|blocked|restricted|on hold|terminated)\b",
        r"\b(?:mailbox|storage|quota) (?:is )?(?:full|exceeded|almost full|limit)\b|\bpassword (?:expires|expiry|"
        r"expiration|will expire)\b",
        r"\b(?:unusual|suspicious|unrecogni[sz]ed) (?:activity|sign-?in|log-?in|login attempts?|access)\b",
        r"\bkonto (?:wurde |wird |ist )?(?:gesperrt|eingeschränkt|deaktiviert|geschlossen)\b|"
        r"\b(?:bestätigen|verifizieren|aktualisieren) sie (?:ihr|ihre)\b|\bungewöhnliche aktivität\b",
        r"\bconta (?:foi |será |está )?(?:bloqueada|suspensa|desativada|encerrada)\b|"
        r"\b(?:confirme|atualize|verifique|regularize) (?:seus|sua|seu|os seus)\b",
        r"\bcuenta (?:ha sido |será |está )?(?:bloqueada|suspendida|desactivada)\b|"
        r"\b(?:confirme|actualice|verifique) (?:su|sus)\b",
        r"\bcompte (?:a été |sera |est )?(?:bloqué|suspendu|désactivé|restreint)\b|"
        r"\b(?:confirmez|vérifiez|mettez à jour) (?:votre|vos)\b",
        r"\baccount (?:is |wordt |werd )?(?:geblokkeerd|opgeschort)\b|\b(?:bevestig|verifieer) (?:uw|je)\b",
        r"\baccount (?:è stato |sarà )?(?:bloccato|sospeso)\b|\b(?:conferma|verifica) (?:il tuo|i tuoi)\b",
        r"アカウント(?:が|を|は)?(?:停止|ロック|制限|凍結)|パスワード(?:の)?有効期限|(?:不審な|異常な)(?:ログイン|アクティビティ)|"
        r"(?:アカウント|お客様)情報(?:を|の)(?:確認|更新)",
    )
)


def check(message: Message, context: MailContext) -> list[Finding]:
    return theme_finding(
        RULE, PATTERN, message, context, "asks for an account action", minimum=1, stronger=(2, Severity.MEDIUM)
    )
