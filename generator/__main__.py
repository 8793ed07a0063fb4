"""`python -m generator` and the `genpost` console script.

`genpost --version` is answered here, before typer and the command line are imported: typer
alone costs about three times a bare interpreter's start."""

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        sys.stdout.write(f"genpost {__version__}\n")
        sys.exit(0)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":  # guarded: worker processes import this module too
    main()
