"""Which webhooks a movimento goes to, when to retry, and when an endpoint is disabled. Pure."""

from __future__ import annotations

__all__ = ["Roteador", "deve_desativar", "proxima_espera"]

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from protocolo.webhooks import EstadoWebhook, TipoAlvo, Veredito, Webhook


def proxima_espera(falhas: int, *, inicial_s: float, maxima_s: float) -> float:
    """Exponential backoff after `falhas` consecutive failures: inicial, 2×, 4×, ... capped at `maxima_s`."""
    return float(min(maxima_s, inicial_s * 2 ** max(0, falhas - 1)))


def deve_desativar(falhas: int, *, falhas_max: int) -> bool:
    """An endpoint that failed `falhas_max` attempts in a row is disabled."""
    return falhas >= falhas_max


class Roteador:
    """The active webhooks (ownership verified, not disabled), indexed by what they follow."""

    def __init__(self, webhooks: Mapping[str, Webhook], estados: Mapping[str, EstadoWebhook]) -> None:
        self._por_alvo: dict[tuple[TipoAlvo, str], list[Webhook]] = defaultdict(list)
        self._alertas: dict[str, Webhook] = {}
        for webhook in webhooks.values():
            estado = estados.get(webhook.id)
            if estado is not None and estado.veredito is Veredito.VERIFICADO:
                if webhook.alvo.tipo is TipoAlvo.ALERTA:
                    self._alertas[webhook.id] = webhook
                else:
                    self._por_alvo[(webhook.alvo.tipo, webhook.alvo.valor)].append(webhook)

    def destinos(self, movimento: Mapping[str, Any]) -> list[Webhook]:
        """The active webhooks that follow this movimento's processo or órgão (saved searches: `alertas`)."""
        return [
            *self._por_alvo.get((TipoAlvo.NUP, movimento["nup"]), ()),
            *self._por_alvo.get((TipoAlvo.ORGAO, movimento["orgao"]), ()),
        ]

    def alertas(self, ids: Iterable[str]) -> list[Webhook]:
        """The active saved-search webhooks among `ids` (those a processo matches), in id order."""
        return [self._alertas[i] for i in sorted(ids) if i in self._alertas]
