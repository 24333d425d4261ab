"""The composition root: the `protocolo` command, the local stack, the SMTP sink and the simulator.

It may import the core and every service; nothing imports it. `app` (the console script's target) is
loaded on first use, so that `python -m cli.smtpsink` and `import cli.stack` do not build every command.
"""

from __future__ import annotations

__all__ = ["app"]

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cli.commands import app


def __getattr__(nome: str) -> Any:
    if nome == "app":
        from cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {nome!r}")
