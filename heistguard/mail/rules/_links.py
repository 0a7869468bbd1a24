"""Link facts the link rules share: hosts, IP literals, and the services links are commonly laundered through."""

from __future__ import annotations

import ipaddress
import re

from heistguard.mail.domains import host_of, registrable

# Click-tracking and URL-rewriting services: a tracked link hides its target on purpose, legitimately.
REDIRECTORS = frozenset(
    {
        "list-manage.com", "mailchimp.com", "mcusercontent.com", "sendgrid.net", "hubspotlinks.com", "hubspot.com",
        "hs-sites.com", "mandrillapp.com", "mailgun.org", "awstrack.me", "rs6.net", "sparkpostmail.com",
        "exacttarget.com", "urldefense.com", "urldefense.proofpoint.com", "safelinks.protection.outlook.com",
        "outlook.com", "mimecast.com", "mimecastprotect.com", "linkedin.com", "substack.com", "beehiiv.com",
        "convertkit-mail.com", "ct.sendgrid.net", "cmail19.com", "cmail20.com", "createsend.com", "klclick.com",
        "mktdns.com", "marketo.com", "mlsend.com", "google.com", "medium.com",
    }
)  # fmt: skip

# Public URL shorteners (their own domains), as listed on each service's site, 2026-11.
SHORTENERS = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
        "shorturl.at", "rb.gy", "t.ly", "tiny.cc", "bl.ink", "s.id", "v.gd", "qrco.de", "lnkd.in", "short.io",
        "shorte.st", "adf.ly", "soo.gd", "clck.ru", "u.to", "linktr.ee", "bit.do", "x.co", "rotf.lol", "tr.ee",
    }
)  # fmt: skip

# Free hosting, tunnels and object storage where throwaway credential-harvest pages live.
FREE_HOSTING = frozenset(
    {
        "ipfs.io", "dweb.link", "pages.dev", "workers.dev", "web.app", "firebaseapp.com", "r2.dev", "glitch.me",
        "ngrok.io", "ngrok-free.app", "ngrok.app", "trycloudflare.com", "herokuapp.com", "netlify.app",
        "vercel.app", "onrender.com", "repl.co", "replit.app", "weebly.com", "wixsite.com", "godaddysites.com",
        "square.site", "webflow.io", "000webhostapp.com", "blob.core.windows.net", "storage.googleapis.com",
        "firebasestorage.googleapis.com", "s3.amazonaws.com", "azurewebsites.net", "framer.app", "notion.site",
        "surge.sh", "fleek.co", "4everland.app", "typedream.app", "carrd.co", "jimdosite.com", "sites.google.com",
        "forms.gle", "docs.google.com", "bubbleapps.io", "wcomhost.com", "duckdns.org", "ddns.net", "hopto.org",
    }
)  # fmt: skip

_OBFUSCATED_IP = re.compile(r"^(?:0x[0-9a-f]+|\d{8,10}|(?:0[0-7]+\.){3}0[0-7]+)$", re.I)


def ip_literal(host: str) -> bool:
    """True for 192.0.2.1, [2001:db8::1] and the decimal / hex / octal forms browsers still accept."""
    bare = host.strip("[]")
    if ":" in bare or bare.replace(".", "").isdigit():  # what ipaddress can read: a failed parse costs a raise
        try:
            ipaddress.ip_address(bare)
            return True
        except ValueError:
            pass
    return bool(_OBFUSCATED_IP.match(bare))


def on(host: str, services: frozenset[str]) -> bool:
    """True when `host` is one of `services` or under one of them."""
    labels = host.split(".")
    return any(".".join(labels[i:]) in services for i in range(len(labels)))


def org(url: str) -> str:
    host = host_of(url)
    return registrable(host) if host else ""
