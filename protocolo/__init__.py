"""protocolo: the core (domain, codecs, settings, client factories); it imports no service and no cli."""
