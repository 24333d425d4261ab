"""Producers: publish tramitação events for an agency (the library, the file formats)."""
