"""Elasticsearch clients (official client) built from settings."""

from __future__ import annotations

__all__ = ["make_async_search", "make_search"]

from typing import Any

from elasticsearch import AsyncElasticsearch, Elasticsearch

from protocolo.settings import SearchSettings


def _options(settings: SearchSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "server_mode": settings.server_mode,
        "request_timeout": settings.request_timeout_s,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if settings.api_key:
        options["api_key"] = settings.api_key.get_secret_value()
    elif settings.username and settings.password:
        options["basic_auth"] = (settings.username, settings.password.get_secret_value())
    return options


def make_search(settings: SearchSettings) -> Elasticsearch:
    """A synchronous client."""
    return Elasticsearch(settings.url, **_options(settings))


def make_async_search(settings: SearchSettings) -> AsyncElasticsearch:
    """An asyncio client (for the API)."""
    return AsyncElasticsearch(settings.url, **_options(settings))
