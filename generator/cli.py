"""Command line: the only place that prints and exits.

Exit codes: 0 every error-level check passes; 1 some fail; 2 bad input; 3 LLM or WordPress
unreachable or refusing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .errors import GenpostError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Write German SEO blog posts for WordPress with an LLM, and prove with a checker that each meets its brief.",
)
# Logs and CI are not terminals; give tables room there instead of rich's 80 columns.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"genpost {__version__}")
        raise typer.Exit(0)


def fail(error: GenpostError) -> None:
    err.print(f"genpost: {error}", markup=False)
    raise typer.Exit(error.exit_code)


@app.callback()
def main_job(
    ctx: typer.Context,
    brief: Optional[Path] = typer.Option(None, "--brief", "-b", help="The brief (YAML) of the post to generate."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Generate a post from BRIEF (no subcommand), or run a subcommand."""
    if ctx.invoked_subcommand is not None:
        return
    if brief is None:
        out.print(ctx.get_help())
        raise typer.Exit(2)
    try:
        from .brief import load_brief

        load_brief(brief)
    except GenpostError as e:
        fail(e)
    err.print("genpost: generation is not implemented yet; use 'genpost check' to check a post", markup=False)
    raise typer.Exit(2)


def _short(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 24 else f"{len(value)} items"
    return str(value)


def _results_table(report, title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("measured", overflow="fold", max_width=24)
    table.add_column("target", overflow="fold", max_width=22)
    table.add_column("message", overflow="fold", ratio=1)
    for r in report.results:
        mark = "[green]pass[/]" if r.passed else ("[red]FAIL[/]" if r.severity == "error" else "[yellow]warn[/]")
        message = r.message.replace("[", "\\[")
        if r.where and not r.passed:
            where = ", ".join(r.where[:3]) + (" …" if len(r.where) > 3 else "")
            message += f" [dim](in: {where.replace('[', chr(92) + '[')})[/]"
        table.add_row(mark, r.id, _short(r.value).replace("[", "\\["), r.target, message)
    return table


@app.command("check")
def check_cmd(
    post: Path = typer.Argument(..., help="Post to check: block markup (.html) or a document in the seed's "
                                          "layout (SEO Title, Meta Description, URL Slug, WordPress content)."),
    brief: Path = typer.Option(..., "--brief", "-b", help="The brief (YAML) the post must meet."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON for machines."),
) -> None:
    """Measure a post against its brief. Exit 0 when every error-level check passes, 1 when one fails."""
    from .brief import load_brief
    from .checks import run_checks
    from .post import read_post

    try:
        b = load_brief(brief)
        p = read_post(post)
    except GenpostError as e:
        fail(e)
    report = run_checks(p, b)
    if as_json:
        sys.stdout.write(json.dumps({"post": str(post), "brief": str(brief), "passed": report.passed,
                                     "errors": len(report.errors), "warnings": len(report.warnings),
                                     "checks": [r.model_dump() for r in report.results]},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(_results_table(report, f"{post}"))
        verdict = "[green]passes[/]" if report.passed else "[red]fails[/]"
        out.print(f"{post} {verdict}: {len(report.errors)} errors, {len(report.warnings)} warnings")
    raise typer.Exit(0 if report.passed else 1)


def main() -> None:
    try:
        app()
    except GenpostError as e:  # raised outside a command's own handling
        err.print(f"genpost: {e}", markup=False)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err.print("genpost: interrupted", markup=False)
        sys.exit(130)
