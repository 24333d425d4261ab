"""Faust streams: validate, deduplicate, enrich and fold tramitação events into processo state."""
