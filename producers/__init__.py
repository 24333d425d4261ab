"""Producers: services that publish tramitação events (including the simulated traffic of demos and tests)."""
