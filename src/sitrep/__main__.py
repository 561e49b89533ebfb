"""`python -m sitrep …` runs the command line, as the `sitrep` script does."""

from .views.cli import main

main()
