"""protocolo: the shared domain core (NUP, event model, codec, settings, clients, CLI)."""
