"""``python -m bakepy`` runs the command line."""

from bakepy.cli import main

main()
