"""In production, every process refuses example secrets and credentials in clear before it connects to
anything: the real entry points, started as processes, print which variable is wrong and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from protocolo.configuracao import STATUS_CONFIGURACAO

SERVICOS = ["api", "streams", "indexer", "notifier", "webhooks", "archiver"]
# Production with the example secret key and a relay password that is an example too.
EXEMPLO = {
    "PROTOCOLO_ENVIRONMENT": "production",
    "PROTOCOLO_SMTP_STARTTLS": "true",
    "PROTOCOLO_SMTP_USERNAME": "protocolo",
    "PROTOCOLO_SMTP_PASSWORD": "changeme",
}


def _executar(argv: list[str], pasta: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `argv` in an empty directory (no .env) with only these PROTOCOLO_ variables."""
    limpo = {k: v for k, v in os.environ.items() if not k.startswith("PROTOCOLO_")}
    return subprocess.run(
        argv,
        cwd=pasta,
        env=limpo | {"PROTOCOLO_STATE_DIR": str(pasta / "estado"), "COLUMNS": "200"} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("servico", SERVICOS)
def test_a_service_refuses_example_secrets_naming_them(servico: str, tmp_path: Path) -> None:
    saida = _executar([sys.executable, "-m", servico], tmp_path, EXEMPLO)
    assert saida.returncode == STATUS_CONFIGURACAO, saida.stderr
    texto = saida.stdout + saida.stderr
    assert "configuração recusada: PROTOCOLO_SECRET_KEY: ausente ou com valor de exemplo" in texto
    assert "configuração recusada: PROTOCOLO_SMTP_PASSWORD: ausente ou com valor de exemplo" in texto
    assert "Traceback" not in texto
    assert "changeme" not in texto


@pytest.mark.parametrize("servico", SERVICOS)
def test_a_refusal_in_json_mode_is_json_too(servico: str, tmp_path: Path) -> None:
    saida = _executar([sys.executable, "-m", servico], tmp_path, EXEMPLO | {"PROTOCOLO_LOG_FORMAT": "json"})
    assert saida.returncode == STATUS_CONFIGURACAO
    linhas = [json.loads(linha) for linha in (saida.stdout + saida.stderr).splitlines()]
    assert linhas and {linha["level"] for linha in linhas} == {"CRITICAL"}
    assert any("PROTOCOLO_SECRET_KEY" in linha["msg"] for linha in linhas)


def test_credentials_in_clear_are_refused(tmp_path: Path) -> None:
    saida = _executar(
        [sys.executable, "-m", "indexer"],
        tmp_path,
        {
            "PROTOCOLO_ENVIRONMENT": "production",
            "PROTOCOLO_SECRET_KEY": "9f3c2a71e5d84b60c1d2e3f4a5b6c7d8e9",
            "PROTOCOLO_SEARCH_URL": "http://es:9200",
            "PROTOCOLO_SEARCH_USERNAME": "elastic",
            "PROTOCOLO_SEARCH_PASSWORD": "Xq7-senha-real-do-elastic",
        },
    )
    assert saida.returncode == STATUS_CONFIGURACAO
    assert "PROTOCOLO_SEARCH_URL: credenciais só por https://" in saida.stderr
    assert "Xq7-senha-real-do-elastic" not in saida.stderr


def test_the_archiver_refuses_to_start_without_its_signing_key(tmp_path: Path) -> None:
    saida = _executar(
        [sys.executable, "-m", "archiver"],
        tmp_path,
        {"PROTOCOLO_ENVIRONMENT": "production", "PROTOCOLO_SECRET_KEY": "9f3c2a71e5d84b60c1d2e3f4a5b6c7d8e9"},
    )
    assert saida.returncode == STATUS_CONFIGURACAO, saida.stderr
    assert "configuração recusada: PROTOCOLO_ARQUIVO_CHAVE:" in saida.stderr
    assert "Traceback" not in saida.stderr


@pytest.mark.parametrize("comando", [["up"], ["create-topics"]])
def test_the_command_line_refuses_them_too(comando: list[str], tmp_path: Path) -> None:
    saida = _executar([sys.executable, "-m", "cli", *comando], tmp_path, EXEMPLO)
    assert saida.returncode == STATUS_CONFIGURACAO, saida.stderr
    assert "configuração recusada: PROTOCOLO_SECRET_KEY: ausente ou com valor de exemplo" in saida.stderr
    assert "Traceback" not in saida.stderr
