"""An e-mail alert on a saved search: its record, its key and its requests. Pure.

An alert follows the processo subscription's state machine (protocolo.inscricoes: double opt-in,
the same resend window, a tombstone to cancel) and reuses its rules. Its key is the keyed hash of
the normalised search and the address, so the topic's keys reveal neither, and a CPF or CNPJ
appears in the record only as the keyed hash inside the search.
"""

from __future__ import annotations

__all__ = ["Alerta", "alerta_from_avro", "alerta_to_avro", "chave_alerta", "confirmar_alerta", "pedir_alerta"]

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from protocolo.alertas.consulta import ConsultaAlerta, Frequencia, consulta_de_json
from protocolo.chaveiro import Segredo, bytes_de, rotular
from protocolo.inscricoes import EstadoInscricao, pedido_devido, verificar_confirmacao


def chave_alerta(segredo: Segredo, consulta: ConsultaAlerta, email: str) -> str:
    """Keyed hash of (normalised search, e-mail), `<key id>-<hex>`: the alert's key, which reveals neither.

    `consulta` must be the search as read with the same key (its CPF/CNPJ hashes are keyed too).
    """
    texto = f"alerta\n{consulta.canonica()}\n{email.strip().lower()}"
    return rotular(segredo, hmac.new(bytes_de(segredo), texto.encode(), hashlib.sha256).hexdigest())


@dataclass(frozen=True)
class Alerta:
    """One alert: key, address, search, how often and what to mail, and its state."""

    chave: str
    email: str
    consulta: ConsultaAlerta
    descricao: str
    frequencia: Frequencia
    movimentos: bool
    estado: EstadoInscricao
    criada_em: datetime
    solicitada_em: datetime
    atualizada_em: datetime

    @property
    def ativo(self) -> bool:
        """Confirmed: its novelties are mailed."""
        return self.estado is EstadoInscricao.CONFIRMADA


def alerta_to_avro(alerta: Alerta) -> dict[str, Any]:
    """An Alerta as an `alerta` record (the key travels as the message key)."""
    return {
        "email": alerta.email,
        "consulta": alerta.consulta.canonica(),
        "descricao": alerta.descricao,
        "frequencia": alerta.frequencia.name,
        "movimentos": alerta.movimentos,
        "estado": alerta.estado.value,
        "criada_em": alerta.criada_em,
        "solicitada_em": alerta.solicitada_em,
        "atualizada_em": alerta.atualizada_em,
    }


def alerta_from_avro(chave: str, registro: dict[str, Any]) -> Alerta:
    """An `alerta` record."""
    return Alerta(
        chave=chave,
        email=registro["email"],
        consulta=consulta_de_json(registro["consulta"]),
        descricao=registro["descricao"],
        frequencia=Frequencia[registro["frequencia"]],
        movimentos=registro["movimentos"],
        estado=EstadoInscricao(registro["estado"]),
        criada_em=registro["criada_em"],
        solicitada_em=registro["solicitada_em"],
        atualizada_em=registro["atualizada_em"],
    )


def pedir_alerta(
    existente: Alerta | None,
    *,
    chave: str,
    email: str,
    consulta: ConsultaAlerta,
    descricao: str,
    frequencia: Frequencia,
    movimentos: bool,
    agora: datetime,
    reenvio: timedelta,
) -> Alerta | None:
    """The PENDENTE record an alert request writes, or None when it must change nothing (as `pedir`)."""
    if existente is not None and not pedido_devido(
        existente.estado, existente.solicitada_em, agora=agora, reenvio=reenvio
    ):
        return None
    return Alerta(
        chave=chave,
        email=email.strip().lower(),
        consulta=consulta,
        descricao=descricao,
        frequencia=frequencia,
        movimentos=movimentos,
        estado=EstadoInscricao.PENDENTE,
        criada_em=agora,
        solicitada_em=agora,
        atualizada_em=agora,
    )


def confirmar_alerta(existente: Alerta | None, agora: datetime) -> Alerta | None:
    """The CONFIRMADA record a valid link writes; None when already confirmed; ValueError when not pending."""
    if not verificar_confirmacao(existente.estado if existente else None):
        return None
    assert existente is not None
    return replace(existente, estado=EstadoInscricao.CONFIRMADA, atualizada_em=agora)
