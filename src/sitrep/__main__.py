"""`python -m sitrep …` runs the command line, as the `sitrep` script does."""

from .cli import main

main()
