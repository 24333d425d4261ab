"""What production refuses to start with: missing or example secrets, a short key, credentials in clear.

`Settings` calls `recusas_em_producao` when PROTOCOLO_ENVIRONMENT=production; each line names the
environment variable at fault and never its value (docs/operacao.md, "Segurança"). Every key of the
ring is held to the same rule: PROTOCOLO_SECRET_KEY when it is the only key (or joins the ring as
`k0`), and each key PROTOCOLO_SECRET_KEYS lists.
"""

from __future__ import annotations

__all__ = ["SEGREDO_DE_DESENVOLVIMENTO", "eh_placeholder", "recusas_em_producao"]

from typing import TYPE_CHECKING

from pydantic import SecretStr

from protocolo.chaveiro import ler_chaveiro

if TYPE_CHECKING:
    from protocolo.settings import Settings

SEGREDO_DE_DESENVOLVIMENTO = "troque-este-segredo-em-producao"
"""The default PROTOCOLO_SECRET_KEY: fine for the local stack, refused in production."""

_EXEMPLOS = frozenset({"", SEGREDO_DE_DESENVOLVIMENTO, "secret", "segredo", "password", "senha", "123456"})
_PREFIXOS_DE_EXEMPLO = ("troque", "changeme", "change-me", "change_me", "exemplo", "example", "<")
_SECRET_KEY_MIN = 32  # characters of each server key, the HMAC key of every hash and signature


def eh_placeholder(valor: str) -> bool:
    """Whether a secret is empty or an example value (the development default, `troque…`, `changeme…`)."""
    normal = valor.strip().lower()
    return normal in _EXEMPLOS or normal.startswith(_PREFIXOS_DE_EXEMPLO)


def recusas_em_producao(settings: Settings) -> list[str]:
    """Why these settings may not run in production: one line per setting, naming its variable."""
    erros = []
    segredos: list[tuple[str, SecretStr | None]] = []
    k, b, m = settings.kafka, settings.search, settings.smtp
    if k.sasl:
        segredos.append(("PROTOCOLO_KAFKA_SASL_PASSWORD", k.sasl_password))
        if k.sasl_mechanism == "PLAIN" and not k.tls:
            erros.append(
                "PROTOCOLO_KAFKA_SASL_MECHANISM: PLAIN sem TLS manda a senha em claro; "
                "use PROTOCOLO_KAFKA_SECURITY_PROTOCOL=SASL_SSL"
            )
    if k.ssl_key_password:
        segredos.append(("PROTOCOLO_KAFKA_SSL_KEY_PASSWORD", k.ssl_key_password))
    if b.password:
        segredos.append(("PROTOCOLO_SEARCH_PASSWORD", b.password))
    if b.api_key:
        segredos.append(("PROTOCOLO_SEARCH_API_KEY", b.api_key))
    if b.autenticado and not b.https:
        erros.append("PROTOCOLO_SEARCH_URL: credenciais só por https://, nunca em claro")
    if m.password:
        segredos.append(("PROTOCOLO_SMTP_PASSWORD", m.password))
        if not m.tls:
            erros.append(
                "PROTOCOLO_SMTP_STARTTLS: autenticação no relay só com TLS "
                "(PROTOCOLO_SMTP_STARTTLS=true ou PROTOCOLO_SMTP_IMPLICIT_TLS=true)"
            )
    faltando = _recusas_de_chaves(settings) + [
        f"{variavel}: ausente ou com valor de exemplo; defina um segredo próprio"
        for variavel, segredo in segredos
        if segredo is None or eh_placeholder(segredo.get_secret_value())
    ]
    return faltando + erros


def _recusas_de_chaves(settings: Settings) -> list[str]:
    """Every key of the ring must be real and long: PROTOCOLO_SECRET_KEY alone, or each listed key."""
    if settings.secret_keys is None or not settings.secret_keys.get_secret_value().strip():
        return _recusas_de_chave("PROTOCOLO_SECRET_KEY", "", settings.secret_key.get_secret_value())
    avulsa = settings.secret_key.get_secret_value()
    erros = []
    if avulsa != SEGREDO_DE_DESENVOLVIMENTO:  # set: it joins the ring as k0
        erros += _recusas_de_chave("PROTOCOLO_SECRET_KEY", "", avulsa)
    try:
        chaves = ler_chaveiro(settings.secret_keys.get_secret_value())
    except ValueError:
        return [*erros, "PROTOCOLO_SECRET_KEYS: ilegível; escreva id:segredo, separados por vírgula"]
    for chave in chaves:
        erros += _recusas_de_chave("PROTOCOLO_SECRET_KEYS", f"chave {chave.id} ", chave.segredo.decode())
    return erros


def _recusas_de_chave(variavel: str, qual: str, chave: str) -> list[str]:
    if eh_placeholder(chave):
        return [f"{variavel}: {qual}ausente ou com valor de exemplo; defina um segredo próprio"]
    if len(chave) < _SECRET_KEY_MIN:
        return [
            f"{variavel}: {qual}curta demais ({len(chave)} caracteres); use ao menos "
            f"{_SECRET_KEY_MIN} aleatórios (por exemplo, `openssl rand -hex 32`)"
        ]
    return []
