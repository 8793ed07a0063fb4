"""`python -m generator` and the `genpost` console script.

`genpost --version` is answered here, before typer and the command line are imported: typer
alone costs about three times a bare interpreter's start."""

import sys


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from . import __version__

        sys.stdout.write(f"genpost {__version__}\n")
        sys.exit(0)
    from .cli import main as cli_main

    if args[:1] != ["check"]:
        cli_main()
        return
    _run_and_leave(cli_main)


def _run_and_leave(command) -> None:
    """`genpost check` reads two files and prints; nothing is left to clean up when it is done. So
    neither the cyclic garbage collector (about 25 ms over the imports) nor the interpreter's
    teardown of every module and cache (50-80 ms, a fifth of the command) is run: the output is
    flushed and the process ends with the command's exit code."""
    import gc
    import os

    gc.disable()
    try:
        command()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        if isinstance(e.code, str):
            sys.stderr.write(e.code + "\n")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (genpost check … | head): the exit code still counts
            pass
    os._exit(code)


if __name__ == "__main__":  # guarded: worker processes import this module too
    main()
