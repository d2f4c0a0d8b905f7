"""`python -m gateway.cli` is `gridcast` (how `gridcast up` starts its worker with the same interpreter)."""

from gateway.cli import main

main()
