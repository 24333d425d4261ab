"""What production refuses to start with: missing or example secrets, a short key, credentials in clear.

`Settings` calls `recusas_em_producao` when PROTOCOLO_ENVIRONMENT=production; each line names the
environment variable at fault and never its value (docs/operacao.md, "Segurança").
"""

from __future__ import annotations

__all__ = ["SEGREDO_DE_DESENVOLVIMENTO", "eh_placeholder", "recusas_em_producao"]

from typing import TYPE_CHECKING

from pydantic import SecretStr

if TYPE_CHECKING:
    from protocolo.settings import Settings

SEGREDO_DE_DESENVOLVIMENTO = "troque-este-segredo-em-producao"
"""The default PROTOCOLO_SECRET_KEY: fine for the local stack, refused in production."""

_EXEMPLOS = frozenset({"", SEGREDO_DE_DESENVOLVIMENTO, "secret", "segredo", "password", "senha", "123456"})
_PREFIXOS_DE_EXEMPLO = ("troque", "changeme", "change-me", "change_me", "exemplo", "example", "<")
_SECRET_KEY_MIN = 32  # characters of PROTOCOLO_SECRET_KEY, the HMAC key of every hash and signature


def eh_placeholder(valor: str) -> bool:
    """Whether a secret is empty or an example value (the development default, `troque…`, `changeme…`)."""
    normal = valor.strip().lower()
    return normal in _EXEMPLOS or normal.startswith(_PREFIXOS_DE_EXEMPLO)


def recusas_em_producao(settings: Settings) -> list[str]:
    """Why these settings may not run in production: one line per setting, naming its variable."""
    erros = []
    segredos: list[tuple[str, SecretStr | None]] = [("PROTOCOLO_SECRET_KEY", settings.secret_key)]
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
    faltando = [
        f"{variavel}: ausente ou com valor de exemplo; defina um segredo próprio"
        for variavel, segredo in segredos
        if segredo is None or eh_placeholder(segredo.get_secret_value())
    ]
    chave = settings.secret_key.get_secret_value()
    if not eh_placeholder(chave) and len(chave) < _SECRET_KEY_MIN:
        faltando.append(
            f"PROTOCOLO_SECRET_KEY: curta demais ({len(chave)} caracteres); use ao menos "
            f"{_SECRET_KEY_MIN} aleatórios (por exemplo, `openssl rand -hex 32`)"
        )
    return faltando + erros
