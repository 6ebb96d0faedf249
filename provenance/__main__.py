"""``python -m provenance`` runs the ``trace`` command."""

from .cli import main

main()
