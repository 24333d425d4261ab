"""Settings in an entry point: a refused setting becomes a pt-BR message naming its variable, not a traceback.

Every `main()` (and the `protocolo` command) loads its settings with `carregar_settings`: an invalid
value, a missing or example secret in production, or credentials that would travel in clear stop the
process before it connects to anything, with exit status 2 and one log line per refused variable.
"""

from __future__ import annotations

__all__ = ["STATUS_CONFIGURACAO", "carregar_settings", "de_settings", "mensagens", "recusar"]

import logging
from collections.abc import Callable
from typing import NoReturn

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings

from protocolo.settings import Settings

logger = logging.getLogger(__name__)

STATUS_CONFIGURACAO = 2
"""The exit status of a process that refused its settings."""


def _prefixos(modelo: type[BaseModel] = Settings) -> dict[str, str]:
    """Each settings class's name and its environment prefix, nested sections included."""
    prefixos = {modelo.__name__: str(modelo.model_config.get("env_prefix", ""))}
    for campo in modelo.model_fields.values():
        tipo = campo.annotation
        if isinstance(tipo, type) and issubclass(tipo, BaseSettings):
            prefixos |= _prefixos(tipo)
    return prefixos


def de_settings(exc: ValidationError) -> bool:
    """Whether `exc` refused settings (and not some other pydantic model)."""
    return exc.title in _prefixos()


def mensagens(exc: ValidationError) -> list[str]:
    """One line per refused setting, naming its environment variable; never the value itself."""
    prefixo = _prefixos().get(exc.title, "PROTOCOLO_")
    linhas: list[str] = []
    for erro in exc.errors(include_input=False, include_url=False):
        causa = (erro.get("ctx") or {}).get("error")
        if erro["type"] == "value_error" and not erro["loc"] and causa is not None:
            linhas.extend(str(causa).splitlines())  # our validators already name the variables
            continue
        variavel = prefixo + "_".join(str(parte) for parte in erro["loc"]).upper()
        linhas.append(f"{variavel}: valor inválido ({erro['msg']})")
    return linhas


def carregar_settings(criar: Callable[[], Settings] = Settings) -> Settings:
    """The settings of this process; on refusal, log each reason and exit with STATUS_CONFIGURACAO."""
    try:
        return criar()
    except ValidationError as exc:
        linhas = mensagens(exc)
    recusar(linhas)


def recusar(linhas: list[str]) -> NoReturn:
    """Log why the process will not start (one line per variable) and exit with STATUS_CONFIGURACAO."""
    for linha in linhas:
        logger.critical("configuração recusada: %s", linha)
    logger.critical("o processo não vai iniciar: corrija as variáveis acima (docs/operacao.md, Segurança)")
    raise SystemExit(STATUS_CONFIGURACAO)
