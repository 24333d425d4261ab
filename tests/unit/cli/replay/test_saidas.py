"""The replay's value conversion for CSV cells and Parquet JSON columns (cli/replay/saidas.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cli.replay.saidas import para_json


def test_instants_days_and_bytes_become_json_inside_nested_values() -> None:
    """A processo snapshot holds days (`dias_movimentados`) and instants inside lists and records."""
    valor = {
        "dias": [date(2024, 3, 5)],
        "em": datetime(2024, 3, 5, 17, 0, tzinfo=UTC),
        "unidade": {"codigo": "2300001", "bruto": b"\x00\xff"},
    }
    assert para_json(valor) == {
        "dias": ["2024-03-05"],
        "em": "2024-03-05T17:00:00+00:00",
        "unidade": {"codigo": "2300001", "bruto": "AP8="},
    }
