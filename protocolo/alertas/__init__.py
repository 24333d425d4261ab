"""Saved-search alerts: the normalised query, the analysis the index uses, and the matcher. Pure."""

__all__: list[str] = []
