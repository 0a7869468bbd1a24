"""Brands that phishing aimed at crypto staff imitates, with the domains each really sends mail and links from.

Source: each company's own public website and mail (the domains below are the ones their sites
and sign-in pages use), checked 2026-11. A firm adds its own names and domains in `[mail]`.

A name that is also a common word or a short label ("Harmony", "Stake", "Rabby", "Radiant") is left out even
when its firm was robbed: every "harmony" display name and every domain one letter from "stake" would be a
lookalike, and a firm that deals with them adds them to its own profile.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    domains: tuple[str, ...]  # first one is the brand's main domain, the one lookalikes imitate


BRANDS: tuple[Brand, ...] = (
    # exchanges
    Brand("Binance", ("binance.com", "binance.us", "binance.info", "binance.org")),
    Brand("Coinbase", ("coinbase.com", "coinbase.io", "coinbase-mail.com")),
    Brand("Kraken", ("kraken.com",)),
    Brand("Bybit", ("bybit.com", "bybitglobal.com")),
    Brand("OKX", ("okx.com",)),
    Brand("Bitfinex", ("bitfinex.com",)),
    Brand("KuCoin", ("kucoin.com",)),
    Brand("Gemini", ("gemini.com",)),
    Brand("Bitstamp", ("bitstamp.net",)),
    Brand("Crypto.com", ("crypto.com",)),
    Brand("bitFlyer", ("bitflyer.com", "bitflyer.jp")),
    Brand("Coincheck", ("coincheck.com",)),
    Brand("Upbit", ("upbit.com",)),
    Brand("Bitget", ("bitget.com",)),
    # exchanges and payment firms robbed in heists attributed to North Korea (by the FBI, Japan's and Korea's
    # police, the UN Panel of Experts or blockchain analysts, 2017-2024): their names front the next round
    Brand("Bithumb", ("bithumb.com",)),
    Brand("Zaif", ("zaif.jp",)),
    Brand("DMM Bitcoin", ("dmm.com", "dmm.co.jp")),
    Brand("WazirX", ("wazirx.com",)),
    Brand("CoinsPaid", ("coinspaid.com",)),
    Brand("Poloniex", ("poloniex.com",)),
    Brand("Huobi", ("huobi.com", "htx.com")),
    # wallets and custody
    Brand("MetaMask", ("metamask.io", "consensys.io", "consensys.net")),
    Brand("Ledger", ("ledger.com",)),
    Brand("Trezor", ("trezor.io", "satoshilabs.com")),
    Brand("Trust Wallet", ("trustwallet.com",)),
    Brand("Phantom", ("phantom.app", "phantom.com")),
    Brand("Safe{Wallet}", ("safe.global",)),
    Brand("Fireblocks", ("fireblocks.com", "fireblocks.io")),
    Brand("WalletConnect", ("walletconnect.com", "reown.com")),
    Brand("Uniswap", ("uniswap.org",)),
    Brand("Atomic Wallet", ("atomicwallet.io",)),  # drained in June 2023, attributed to Lazarus by the FBI
    Brand("Sky Mavis", ("skymavis.com", "roninchain.com")),  # Ronin bridge, March 2022, FBI attribution
    Brand("Ronin Wallet", ("roninchain.com", "skymavis.com")),
    Brand("Electrum", ("electrum.org",)),
    # protocols whose names front airdrop and staking-reward drainer mail (their sites, 2026-11)
    Brand("Lido", ("lido.fi",)),
    Brand("Optimism", ("optimism.io",)),
    Brand("Arbitrum", ("arbitrum.io", "arbitrum.foundation")),
    Brand("zkSync", ("zksync.io",)),
    Brand("Starknet", ("starknet.io",)),
    Brand("EigenLayer", ("eigenlayer.xyz",)),
    Brand("LayerZero", ("layerzero.network",)),
    Brand("OpenSea", ("opensea.io",)),
    Brand("Magic Eden", ("magiceden.io",)),
    Brand("Aave", ("aave.com",)),
    Brand("Blockchain.com", ("blockchain.com",)),
    Brand("Exodus", ("exodus.com",)),
    Brand("Ethereum", ("ethereum.org",)),
    Brand("Solana", ("solana.com", "solana.org")),
    Brand("Ripple", ("ripple.com", "xrpl.org")),
    Brand("Stellar", ("stellar.org",)),
    Brand("Tether", ("tether.to", "tether.io")),
    Brand("BlockFi", ("blockfi.com",)),
    # services whose look is borrowed for credential harvest, fake meetings and fake shared files
    Brand("Microsoft", ("microsoft.com", "office.com", "microsoftonline.com", "outlook.com", "live.com",
                        "office365.com", "sharepoint.com", "onmicrosoft.com", "microsoft365.com", "skype.com")),
    Brand("Google", ("google.com", "gmail.com", "googlemail.com", "youtube.com", "goo.gl",
                     "googleusercontent.com", "googleapis.com", "gstatic.com",
                     "google.co.jp", "withgoogle.com", "googledrive.com", "g.co")),
    Brand("Apple", ("apple.com", "icloud.com", "me.com")),
    Brand("DocuSign", ("docusign.com", "docusign.net")),
    Brand("Dropbox", ("dropbox.com", "dropboxmail.com")),
    Brand("Zoom", ("zoom.us", "zoom.com", "zoomgov.com")),
    Brand("PayPal", ("paypal.com",)),
    Brand("LinkedIn", ("linkedin.com", "licdn.com")),
    Brand("GitHub", ("github.com", "githubusercontent.com", "github.io")),
    Brand("Telegram", ("telegram.org", "t.me")),
    Brand("Calendly", ("calendly.com",)),
    Brand("Amazon", ("amazon.com", "amazon.co.jp", "amazonses.com", "aws.amazon.com", "amazonaws.com")),
)  # fmt: skip


def brand_domains() -> tuple[str, ...]:
    """The main domain of every brand: the ones whose lookalikes are worth flagging."""
    return tuple(b.domains[0] for b in BRANDS)


def owned_domains() -> tuple[str, ...]:
    return tuple(d for b in BRANDS for d in b.domains)
