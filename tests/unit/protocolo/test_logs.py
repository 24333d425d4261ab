"""The JSON log format: one object per record, with the call's extra fields and the traceback."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from protocolo.logs import JsonFormatter, formato_de_log, logging_config


def _registro(msg: str, *args: object, **campos: object) -> logging.LogRecord:
    registro = logging.LogRecord("indexer.loop", logging.WARNING, __file__, 1, msg, args, None)
    for nome, valor in campos.items():
        setattr(registro, nome, valor)
    return registro


def test_a_record_is_one_json_object_on_one_line() -> None:
    linha = JsonFormatter().format(_registro("retrying error=%s\nsecond line", "Timeout"))
    assert "\n" not in linha
    objeto = json.loads(linha)
    assert objeto["level"] == "WARNING" and objeto["logger"] == "indexer.loop"
    assert objeto["msg"] == "retrying error=Timeout\nsecond line"
    assert objeto["ts"].endswith("+00:00") and isinstance(objeto["pid"], int)


def test_extra_fields_become_keys() -> None:
    objeto = json.loads(
        JsonFormatter().format(_registro("batch indexed", documentos=12, topico="t.processos"))
    )
    assert objeto["documentos"] == 12 and objeto["topico"] == "t.processos"


def test_the_traceback_goes_in_exc() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        registro = _registro("failed")
        registro.exc_info = sys.exc_info()
    objeto = json.loads(JsonFormatter().format(registro))
    assert "RuntimeError: boom" in objeto["exc"] and "Traceback" in objeto["exc"]


def test_the_format_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROTOCOLO_LOG_FORMAT", raising=False)
    assert formato_de_log() == "text" and logging_config("WARNING") is None
    monkeypatch.setenv("PROTOCOLO_LOG_FORMAT", "JSON")
    assert formato_de_log() == "json"
    assert logging_config("warning")["root"]["level"] == "WARNING"  # type: ignore[index]


def test_an_unknown_format_stops_the_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROTOCOLO_LOG_FORMAT", "xml")
    with pytest.raises(SystemExit) as saida:
        formato_de_log()
    assert saida.value.code == 2
    assert "PROTOCOLO_LOG_FORMAT" in capsys.readouterr().err
