"""`protocolo replay`: read a slice of a topic, decode each message with its own writer schema, write rows.

`intervalo` (pure) parses the range, `linhas` (pure) turns messages into rows and filters them,
`leitura` resolves the range on the broker and reads it, `saidas` writes the rows (JSON Lines, CSV,
Parquet, Avro container).
"""
