"""Logging set-up for entry points: key=value text, or one JSON object per line (PROTOCOLO_LOG_FORMAT=json).

`configure_logging` sets the root logger from PROTOCOLO_LOG_LEVEL and PROTOCOLO_LOG_FORMAT (read here,
before the settings, so that a refused setting is logged in the chosen format too). Frameworks that set
up logging themselves get the same format: Faust's worker through `logging_config`, uvicorn by leaving
its loggers to the root one.

A JSON line holds `ts` (UTC, ISO 8601), `level`, `logger`, `pid`, `msg`, `exc` (the traceback, when
there is one) and any `extra={...}` fields of the call.
"""

from __future__ import annotations

__all__ = ["FORMATOS", "JsonFormatter", "configure_logging", "formato_de_log", "logging_config"]

import json
import logging
import os
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

FORMATOS = ("text", "json")
_TEXTO = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
# Attributes every LogRecord has: whatever else a record carries came from `extra=`.
_PADRAO = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        linha: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "msg": record.getMessage(),
        }
        for nome, valor in vars(record).items():
            if nome not in _PADRAO and not nome.startswith("_"):
                linha[nome] = valor
        if record.exc_info:
            linha["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            linha["stack"] = self.formatStack(record.stack_info)
        return json.dumps(linha, ensure_ascii=False, default=str)


def formato_de_log() -> str:
    """PROTOCOLO_LOG_FORMAT: `text` (the default) or `json`; anything else stops the process."""
    formato = os.environ.get("PROTOCOLO_LOG_FORMAT", "text").strip().lower() or "text"
    if formato not in FORMATOS:
        sys.stderr.write(f"configuração recusada: PROTOCOLO_LOG_FORMAT: use text ou json (não {formato!r})\n")
        raise SystemExit(2)
    return formato


def _nivel(level: str | None) -> str:
    return (level or os.environ.get("PROTOCOLO_LOG_LEVEL", "INFO")).upper()


def _formatter(formato: str) -> logging.Formatter:
    return JsonFormatter() if formato == "json" else logging.Formatter(_TEXTO)


def configure_logging(level: str | None = None) -> None:
    """Configure the root logger once, from PROTOCOLO_LOG_LEVEL when no level is given."""
    formato = formato_de_log()
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(_formatter(formato))
    logging.basicConfig(level=_nivel(level), handlers=[handler])
    # One line per HTTP request to the search server is noise at INFO.
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    if formato == "json":
        # Whatever would reach stderr on its own is a record too: warnings, uncaught exceptions.
        logging.captureWarnings(True)
        sys.excepthook = _registrar_excecao
        threading.excepthook = _registrar_excecao_de_thread


def logging_config(level: str) -> dict[str, Any] | None:
    """A dictConfig for a framework that configures logging itself (Faust's worker); None in text mode,
    where it keeps its own format."""
    if formato_de_log() != "json":
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": level.upper(), "handlers": ["default"]},
    }


def _registrar_excecao(tipo: type[BaseException], valor: BaseException, rastro: TracebackType | None) -> None:
    logging.getLogger("protocolo").critical("uncaught exception", exc_info=(tipo, valor, rastro))


def _registrar_excecao_de_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    logging.getLogger("protocolo").critical(
        "uncaught exception thread=%s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
