"""The search API (FastAPI) and the citizen portal (Jinja2)."""
