"""``python -m goodwill`` runs the CLI, for when the console script is not on PATH."""

from goodwill.cli.main import run

run()
