"""HeistGuard: defend a crypto business against Lazarus-style heists, step by step."""

__version__ = "0.1.0"
