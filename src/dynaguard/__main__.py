"""``python -m dynaguard``."""

from dynaguard.cli import main

main()
