"""Elasticsearch clients (official client) built from settings."""

from __future__ import annotations

__all__ = ["client_options", "make_async_search", "make_search"]

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from protocolo.settings import SearchSettings


def client_options(settings: SearchSettings) -> dict[str, Any]:
    """The official client's keyword arguments: media types, timeouts, TLS verification, credentials."""
    options: dict[str, Any] = {
        "server_mode": settings.server_mode,
        "request_timeout": settings.request_timeout_s,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if settings.https:
        options["verify_certs"] = True  # the client's default; explicit, so that nothing turns it off
        if settings.ca_certs:
            options["ca_certs"] = str(settings.ca_certs)
    if settings.api_key:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    return options


def make_search(settings: SearchSettings) -> Elasticsearch:
    """A synchronous client."""
    return Elasticsearch(settings.url, **client_options(settings))


def make_async_search(settings: SearchSettings) -> AsyncElasticsearch:
    """An asyncio client (for the API)."""
    return AsyncElasticsearch(settings.url, **client_options(settings))
