"""The webhook deliverer: ownership checks, signed deliveries of public movimentos, retries."""
