"""The chain guard: ingest chain data, screen counterparties, trace stolen funds to where they can be frozen."""
