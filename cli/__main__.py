"""`python -m cli`: the `protocolo` command."""

from cli import main

main()
