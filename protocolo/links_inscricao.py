"""Signed links in subscription e-mails: confirm (expiring) and unsubscribe (lasting). Pure.

A token is `acao.chave.expira.assinatura`: the action (`confirmar` or `cancelar`), the subscription
key (a keyed hash: no e-mail address ever appears in a URL, which ends up in access logs), the
expiry as Unix seconds (0 = never) and an HMAC-SHA256 with the server's secret over the other three,
`<key id>-<hex>` (protocolo.chaveiro). A signature without an id predates key rotation: key `k0`.
"""

from __future__ import annotations

__all__ = ["AcaoLink", "LinkExpirado", "LinkInvalido", "assinar_link", "url_link", "verificar_link"]

import hashlib
import hmac
import re
from datetime import datetime
from enum import StrEnum

from protocolo.chaveiro import Chaveiro, Segredo, bytes_de, rotular, separar
from protocolo.errors import ProtocoloError

_ID = r"(?:[a-z0-9]{1,16}-)?"
_TOKEN = re.compile(
    rf"^(?P<acao>[a-z]+)\.(?P<chave>{_ID}[0-9a-f]{{64}})\.(?P<expira>\d{{1,12}})\.(?P<assinatura>{_ID}[0-9a-f]{{32}})$"
)


class AcaoLink(StrEnum):
    """What a link does."""

    CONFIRMAR = "confirmar"
    CANCELAR = "cancelar"


class LinkInvalido(ProtocoloError, ValueError):
    """A link that was not signed by us, or was altered."""


class LinkExpirado(ProtocoloError, ValueError):
    """A correctly signed link past its expiry."""


def _assinatura(segredo: bytes, acao: str, chave: str, expira: int) -> str:
    mensagem = f"inscricao-link\n{acao}\n{chave}\n{expira}".encode()
    return hmac.new(segredo, mensagem, hashlib.sha256).hexdigest()[:32]


def assinar_link(segredo: Segredo, acao: AcaoLink, chave: str, expira_em: datetime | None) -> str:
    """The token for `acao` on subscription `chave`, valid until `expira_em` (None = always)."""
    expira = int(expira_em.timestamp()) if expira_em is not None else 0
    assinatura = rotular(segredo, _assinatura(bytes_de(segredo), acao.value, chave, expira))
    return f"{acao.value}.{chave}.{expira}.{assinatura}"


def verificar_link(chaveiro: Chaveiro, token: str, acao: AcaoLink, agora: datetime) -> str:
    """The subscription key of a token for `acao` signed with a ring key; LinkInvalido or LinkExpirado."""
    casamento = _TOKEN.match(token)
    if casamento is None or casamento["acao"] != acao.value:
        raise LinkInvalido("link inválido")
    chave, expira = casamento["chave"], int(casamento["expira"])
    id_chave, assinatura = separar(casamento["assinatura"])
    segredo = chaveiro.para(id_chave)
    if segredo is None:  # signed with a key retired since
        raise LinkInvalido("link inválido")
    esperada = _assinatura(segredo.segredo, acao.value, chave, expira)
    if not hmac.compare_digest(esperada, assinatura):
        raise LinkInvalido("link inválido")
    if expira and agora.timestamp() > expira:
        raise LinkExpirado("link expirado")
    return chave


def url_link(base_url: str, token: str, recurso: str = "inscricoes") -> str:
    """The public URL of a token: /<recurso>/<acao>/<token> under the portal's base URL.

    `recurso` is `inscricoes` (a processo subscription) or `alertas` (a saved-search alert); the
    key inside the token names one record of that resource's topic.
    """
    return f"{base_url.rstrip('/')}/{recurso}/{token.split('.', 1)[0]}/{token}"
