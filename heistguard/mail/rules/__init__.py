"""Every mail rule, by module: each holds one `RULE` and a `check(message, context)` returning findings."""

from __future__ import annotations

from collections.abc import Callable

from heistguard.findings import Finding, Rule
from heistguard.mail.context import MailContext
from heistguard.mail.message import Message
from heistguard.mail.rules import (
    arc_broken,
    archive_problems,
    attachment_disk_image,
    attachment_executable,
    attachment_script,
    attachment_shortcut,
    auth_failure,
    credential_harvest,
    crypto_payment_ask,
    deceptive_attachment_name,
    display_name_impersonation,
    dkim_invalid,
    encrypted_archive,
    envelope_mismatch,
    fake_cloud_drive,
    fake_meeting_link,
    hidden_text,
    html_smuggling,
    intel_indicators,
    invalid_sender,
    link_ip_literal,
    link_punycode,
    link_shortener,
    link_text_mismatch,
    lookalike_domain,
    lookalike_letters,
    lure_account_action,
    lure_advance_fee,
    lure_callback,
    lure_coding_test,
    lure_investment,
    lure_prize,
    lure_recruiter,
    lure_token_claim,
    lure_urgent_wallet,
    macos_app_attachment,
    macro_document,
    paste_and_run,
    recipient_in_subject,
    reply_to_divert,
    sender_mismatch,
    spoofed_sender,
)

Check = Callable[[Message, MailContext], list[Finding]]

RULE_MODULES = (
    auth_failure,
    spoofed_sender,
    arc_broken,
    dkim_invalid,
    reply_to_divert,
    envelope_mismatch,
    sender_mismatch,
    recipient_in_subject,
    display_name_impersonation,
    invalid_sender,
    lookalike_domain,
    link_text_mismatch,
    link_ip_literal,
    link_shortener,
    link_punycode,
    credential_harvest,
    fake_meeting_link,
    fake_cloud_drive,
    attachment_executable,
    attachment_shortcut,
    attachment_disk_image,
    attachment_script,
    macos_app_attachment,
    macro_document,
    encrypted_archive,
    deceptive_attachment_name,
    html_smuggling,
    paste_and_run,
    hidden_text,
    lookalike_letters,
    lure_recruiter,
    lure_coding_test,
    lure_investment,
    lure_urgent_wallet,
    lure_token_claim,
    lure_account_action,
    lure_prize,
    lure_advance_fee,
    lure_callback,
    crypto_payment_ask,
)

# Checks whose findings use other guards' rules (intel.*, the safe walk's artifacts.archive-*).
CHECKS: tuple[Check, ...] = (*(m.check for m in RULE_MODULES), intel_indicators.check, archive_problems.check)
RULES: tuple[Rule, ...] = tuple(m.RULE for m in RULE_MODULES)
