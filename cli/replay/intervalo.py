"""The bounds of a replay: an offset, an RFC 3339 instant, `inicio` or `fim`. Pure.

The range is half-open, as Kafka's own lookups are: `--desde` is the first message read,
`--ate` the first one not read (an offset, or the first message stamped at or after an instant).
"""

from __future__ import annotations

__all__ = [
    "Fim",
    "Inicio",
    "Instante",
    "Limite",
    "LimiteInvalido",
    "Offset",
    "parse_limite",
    "validar_intervalo",
]

from dataclasses import dataclass
from datetime import datetime

from protocolo.errors import ProtocoloError


class LimiteInvalido(ProtocoloError, ValueError):
    """A range bound that is neither an offset, an RFC 3339 instant, `inicio` nor `fim` (pt-BR message)."""


@dataclass(frozen=True)
class Inicio:
    """The first offset each partition still holds."""


@dataclass(frozen=True)
class Fim:
    """The end each partition has when the replay reaches it."""


@dataclass(frozen=True)
class Offset:
    """The same offset in every partition."""

    valor: int


@dataclass(frozen=True)
class Instante:
    """The first message stamped at or after this instant, in each partition."""

    valor: datetime

    @property
    def ms(self) -> int:
        """Milliseconds since the epoch, as Kafka timestamps are."""
        return int(self.valor.timestamp() * 1000)


Limite = Inicio | Fim | Offset | Instante


def parse_limite(texto: str, *, opcao: str) -> Limite:
    """Parse one bound given to `opcao` (`--desde`/`--ate`); LimiteInvalido names the option at fault."""
    bruto = texto.strip()
    if bruto.lower() == "inicio":
        return Inicio()
    if bruto.lower() == "fim":
        return Fim()
    if bruto.isdigit():
        return Offset(int(bruto))
    try:
        instante = datetime.fromisoformat(bruto.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        instante = None
    if instante is None or "T" not in bruto.upper() and " " not in bruto:
        raise LimiteInvalido(
            f"{opcao} {texto!r}: use um offset (ex.: 1500), uma data e hora RFC 3339 com fuso "
            "(ex.: 2024-05-01T00:00:00-03:00), 'inicio' ou 'fim'"
        )
    if instante.tzinfo is None:
        raise LimiteInvalido(f"{opcao} {texto!r}: informe o fuso horário (ex.: -03:00 ou Z)")
    return Instante(instante)


def validar_intervalo(desde: Limite, ate: Limite) -> None:
    """Refuse a range that is empty by construction (both bounds of one kind, the end before the start)."""
    if isinstance(desde, Fim):
        raise LimiteInvalido("--desde fim: o intervalo começaria no fim do tópico e não teria eventos")
    if isinstance(ate, Inicio):
        raise LimiteInvalido("--ate inicio: o intervalo terminaria antes do primeiro evento")
    if isinstance(desde, Offset) and isinstance(ate, Offset) and ate.valor <= desde.valor:
        raise LimiteInvalido(f"--ate {ate.valor} deve ser maior que --desde {desde.valor}")
    if isinstance(desde, Instante) and isinstance(ate, Instante) and ate.valor <= desde.valor:
        raise LimiteInvalido(
            f"--ate {ate.valor.isoformat()} deve ser posterior a --desde {desde.valor.isoformat()}"
        )
