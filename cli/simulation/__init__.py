"""Simulated agency traffic: the generator (pure), its oracle, and the sender that publishes it."""
