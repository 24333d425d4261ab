"""A minimal webhook receiver for bench.webhooks, run as its own uvicorn process.

    .venv/bin/python -m bench.receptor_webhooks PORTA

Answers the ownership check (echoes hub.challenge), answers every POST 204 and counts it, with the
arrival time of the first and the last; `GET /_contagem` reports them, `POST /_zerar` starts again.
It does not verify signatures (the tests do, with standardwebhooks): it measures the sender.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

_estado: dict[str, float] = {"n": 0, "primeiro": 0.0, "ultimo": 0.0}


async def _responder(send: Send, status: int, corpo: bytes = b"") -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(corpo)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": corpo})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    caminho, metodo = scope["path"], scope["method"]
    if caminho == "/_contagem":
        await _responder(send, 200, json.dumps(_estado).encode())
    elif caminho == "/_zerar":
        _estado.update(n=0, primeiro=0.0, ultimo=0.0)
        await _responder(send, 204)
    elif metodo == "GET":
        params = parse_qs(scope["query_string"].decode())
        await _responder(send, 200, params.get("hub.challenge", [""])[0].encode())
    else:
        agora = time.time()
        _estado["n"] += 1
        _estado["primeiro"] = _estado["primeiro"] or agora
        _estado["ultimo"] = agora
        await _responder(send, 204)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
