"""The local SMTP sink as a process: JSON logs when asked, and no address or AUTH line in them."""

from __future__ import annotations

import json
import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from cli.stack import porta_livre
from cli.stack.ports import esta_livre
from tests.fixtures.espera import eventually


def test_the_sink_logs_json_lines_without_addresses(tmp_path: Path) -> None:
    porta = porta_livre()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROTOCOLO_")}
    processo = subprocess.Popen(
        [sys.executable, "-m", "cli.smtpsink", "--dir", str(tmp_path / "mail"), "--port", str(porta)],
        env=env | {"PROTOCOLO_LOG_FORMAT": "json", "PROTOCOLO_LOG_LEVEL": "DEBUG"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        eventually(lambda: not esta_livre("127.0.0.1", porta), what="the sink to listen")
        mensagem = EmailMessage()
        mensagem["From"] = "nao-responda@protocolo.localhost"
        mensagem["To"] = "cidada-7731@example.com"
        mensagem["Subject"] = "Seu processo andou"
        mensagem.set_content("Envio.")
        with smtplib.SMTP("127.0.0.1", porta, timeout=10) as smtp:
            smtp.send_message(mensagem)
        eventually(lambda: any((tmp_path / "mail").glob("*.eml")), what="the message on disk")
    finally:
        processo.terminate()
        saida, _ = processo.communicate(timeout=10)
    linhas = [json.loads(linha) for linha in saida.splitlines()]
    assert any(linha["msg"].startswith("smtp sink ready") for linha in linhas)
    assert "cidada-7731" not in saida
