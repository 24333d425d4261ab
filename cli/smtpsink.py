"""A local SMTP server that stores every message it receives as an .eml file (for demos and tests)."""

from __future__ import annotations

__all__ = ["GuardarEml", "main"]

import argparse
import itertools
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from protocolo.logs import configure_logging

logger = logging.getLogger("cli.smtpsink")


class GuardarEml:
    """aiosmtpd handler: one file per message and recipient, named so that ls sorts by arrival."""

    def __init__(self, pasta: Path) -> None:
        self.pasta = pasta
        self.pasta.mkdir(parents=True, exist_ok=True)
        self._contador = itertools.count()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        dados: bytes = envelope.original_content or envelope.content
        for _ in envelope.rcpt_tos:
            nome = f"{time.time_ns()}-{next(self._contador):06d}.eml"
            temporario = self.pasta / f".{nome}.tmp"
            temporario.write_bytes(dados)
            temporario.rename(self.pasta / nome)  # readers never see half a message
        return "250 Message accepted for delivery"


def main() -> None:
    """`python -m cli.smtpsink --dir DIR --port N`: serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="SMTP sink that writes .eml files")
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    args = parser.parse_args()
    configure_logging()
    # aiosmtpd logs every command line at INFO: the recipients' addresses and AUTH's base64 blobs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(GuardarEml(args.dir), hostname=args.host, port=args.port)
    controller.start()
    parar = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: parar.set())
    signal.signal(signal.SIGINT, lambda *_: parar.set())
    logger.info("smtp sink ready host=%s port=%d dir=%s", args.host, args.port, args.dir)
    parar.wait()
    controller.stop()


if __name__ == "__main__":
    main()
