"""Command line: the only place that prints and exits.

Exit codes: 0 every error-level check passes; 1 some fail; 2 bad input; 3 LLM or WordPress
unreachable or refusing.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, NoReturn, Optional

import typer

from . import __version__
from .errors import GenpostError, InputError, OutputError
from .llm import DEFAULT_MODEL

if TYPE_CHECKING:  # rich's consoles and tables are made when something is printed (start-up time)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .settings import RunOptions

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    subcommand_metavar="[COMMAND] [ARGS]...",  # generating needs no command: genpost --brief BRIEF
    help="Write German SEO blog posts for WordPress with an LLM, and prove with a checker that each meets its brief.",
)

@functools.lru_cache(maxsize=1)
def out_console() -> Console:
    from rich.console import Console

    # Logs and CI are not terminals; give tables room there instead of rich's 80 columns.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 140)


@functools.lru_cache(maxsize=1)
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


# The options the main job and `batch` share, declared once: (name, flag, default). They reach a
# command as one RunOptions (see run_options below).
BriefOpt = Annotated[Optional[Path], typer.Option("--brief", "-b", help="The brief (YAML) of the post to generate.")]
WpUrlOpt = Annotated[Optional[str], typer.Option(
        "--wp-url", envvar="GENPOST_WP_URL",
        help="WordPress site, https://… (env GENPOST_WP_URL; else the brief's wordpress.url).")]
WpUserOpt = Annotated[Optional[str], typer.Option(
        "--wp-user", envvar="GENPOST_WP_USER",
        help="WordPress user (env GENPOST_WP_USER; else the brief's wordpress.user).")]
WpPasswordOpt = Annotated[Optional[str], typer.Option(
        "--wp-app-password", envvar="GENPOST_WP_APP_PASSWORD",
        help="Application Password of that user (env GENPOST_WP_APP_PASSWORD). Never written anywhere.")]
_RUN_OPTIONS: list[tuple[str, Any, Any]] = [
    ("dry_run", Annotated[bool, typer.Option("--dry-run", help="Use the built-in mock LLM: offline, free, reproducible.")], False),
    ("out", Annotated[Path, typer.Option("--out", "-o", help="Output folder; each post goes to OUT/<slug>/.")], Path("out")),
    ("model", Annotated[Optional[str], typer.Option(
        "--model", "-m", envvar="GENPOST_MODEL",
        help=f"Model name (env GENPOST_MODEL; default {DEFAULT_MODEL}; 'mock' = --dry-run; 'mock:sloppy' = an "
             "offline model that misbehaves like real ones, seeded by --seed).")], None),
    ("base_url", Annotated[Optional[str], typer.Option(
        "--base-url", envvar="OPENAI_BASE_URL",
        help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (env OPENAI_BASE_URL).")], None),
    ("image_model", Annotated[Optional[str], typer.Option(
        "--image-model", envvar="GENPOST_IMAGE_MODEL",
        help="Image model for briefs with images: source: generate (default gpt-image-1).")], None),
    ("image_base_url", Annotated[Optional[str], typer.Option(
        "--image-base-url", help="OpenAI-compatible images endpoint (default: --base-url).")], None),
    ("api_key", Annotated[Optional[str], typer.Option(
        "--api-key", envvar="OPENAI_API_KEY", show_envvar=True,
        help="API key (env OPENAI_API_KEY). Never written to disk.")], None),
    ("seed", Annotated[int, typer.Option("--seed", help="Seed of the offline models, for reproducible runs.")], 1),
    ("max_rounds", Annotated[int, typer.Option("--max-rounds", min=0, help="Repair rounds at most.")], 4),
    ("cache_dir", Annotated[Optional[Path], typer.Option(
        "--cache-dir", help="Folder of the ledger genpost.db, where every LLM request and answer is kept, so a rerun "
             "does not pay twice (default OUT).")], None),
    ("no_cache", Annotated[bool, typer.Option("--no-cache", help="Do not keep or reuse LLM answers.")], False),
    ("timeout", Annotated[float, typer.Option("--timeout", min=1.0, help="Seconds to wait for one LLM answer.")], 120.0),
    ("retries", Annotated[int, typer.Option("--retries", min=0,
                                            help="Retries of a failed LLM request (429, 5xx, timeouts).")], 5),
    ("retry_time", Annotated[float, typer.Option("--retry-time", min=0.0,
                                                 help="Seconds at most that one LLM request may spend retrying.")], 120.0),
    ("publish", Annotated[bool, typer.Option("--publish", help="Publish each post that passes its checks to WordPress.")],
     False),
    ("publish_failed", Annotated[bool, typer.Option(
        "--publish-failed", help="Publish posts that fail their checks too (implies --publish).")], False),
    ("wp_url", WpUrlOpt, None),
    ("wp_user", WpUserOpt, None),
    ("wp_app_password", WpPasswordOpt, None),
    ("verbose", Annotated[bool, typer.Option("--verbose", "-v",
                                             help="Log every LLM call: model, tokens, latency, retries.")], False),
]


def run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command the shared options as flags; it receives them as one RunOptions `opts`."""
    # eval_str: this module's annotations are strings (PEP 563); typer would drop Annotated metadata
    # (the option's flags and help) from a string it resolves itself.
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "opts"]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
             for name, annotation, default in _RUN_OPTIONS]
    names = [name for name, _, _ in _RUN_OPTIONS]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .settings import RunOptions

        opts = RunOptions(**{name: kwargs.pop(name) for name in names})
        return command(*args, opts=opts, **kwargs)

    wrapper.__signature__ = inspect.Signature(own + added)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in own + added}
    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"genpost {__version__}")
        raise typer.Exit(0)


def fail(error: GenpostError) -> NoReturn:
    err().print(f"genpost: {error}", markup=False)
    raise typer.Exit(error.exit_code)


@app.callback()
@run_options
def main_job(
    ctx: typer.Context,
    brief: BriefOpt = None,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    *,
    opts: "RunOptions",
) -> None:
    """Generate a post from BRIEF (no subcommand), or run a subcommand.

    Exit codes: 0 every error-level check passes, 1 some fail (files written all the same),
    2 bad input, 3 the LLM could not be reached or refused the request.
    """
    if opts.verbose:
        _logging()
    if ctx.invoked_subcommand is not None:
        return
    if brief is None:
        # Say what is missing. Bare `genpost` also shows the help, exactly as --help does; with
        # other options given, one line is enough.
        given = [n for n in ctx.params if (src := ctx.get_parameter_source(n)) is not None
                 and src.name == "COMMANDLINE"]
        if not given:
            typer.echo(ctx.get_help())
        fail(InputError("", "--brief", "is missing", "give the brief to generate from, e.g. "
                        "--brief briefs/mittelstand.yaml" + ("; see genpost --help" if given else "")))
    try:
        from .brief import load_brief
        from .settings import prepare

        b = load_brief(brief)
        run = prepare(opts, b)
    except GenpostError as e:
        fail(e)
    code = _generate_one(b, run, opts.out, opts.max_rounds)
    if run.target is not None and code in (0, 1) and (code == 0 or opts.publish_failed):
        from .folder import post_dir

        code = max(code, _publish_folders([post_dir(opts.out, b.default_slug())], run.target, opts.publish_failed))
    raise typer.Exit(code)


def _publish_folders(folders: list[Path], target, allow_failed: bool, targets_by_folder=None) -> int:
    """Publish folders one after another; print each result. Exit code: 0 all published and the
    stored posts pass, 1 something differs or fails, 3 WordPress refused (stops at once)."""
    from .errors import PublishError
    from .publish import publish_folder

    code = 0
    for folder in folders:
        try:
            t = targets_by_folder(folder) if targets_by_folder else target
            r = publish_folder(folder, t, allow_failed=allow_failed,
                               on_retry=lambda reason: err().print(f"genpost: retrying WordPress: {reason}", markup=False))
        except PublishError as e:
            err().print(f"genpost: {e}", markup=False)
            return 3
        except InputError as e:
            err().print(f"genpost: {e}", markup=False)
            code = max(code, e.exit_code)  # 1 for a post that fails its checks, 2 for bad input
            continue
        verb = "created" if r.created else "updated"
        out_console().print(f"{folder}: {verb} {r.status} post {r.post_id} at {r.link}", markup=False)
        for line in r.differences:
            err().print(f"genpost: WordPress stored something else: {line}", markup=False)
        for line in r.warnings:
            err().print(f"genpost: warning: {line}", markup=False)
        if not r.check_passed:
            err().print(f"genpost: the stored post fails: {', '.join(r.failing_checks)}", markup=False)
        code = max(code, 0 if r.ok else 1)
    return code


def _logging() -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)


def _generate_one(brief, run, out: Path, max_rounds: int) -> int:
    import asyncio

    from .llm import make_client, make_image_client
    from .pipeline import GenerationFailed
    from .run import produce
    from .tasks import settle_others, stop_others

    settings = run.llm
    client = make_client(settings, label=brief.default_slug())  # with its own limiter
    images = make_image_client(run.images, client.limiter) if brief.images.source == "generate" else None

    def progress(message: str) -> None:
        err().print(f"[dim]genpost:[/] {message}")

    async def go():
        try:
            return await produce(brief, client, out, max_rounds=max_rounds, progress=progress, images=images)
        except Exception:
            await settle_others()  # a failed request's siblings still on their way: their answers are kept
            raise
        finally:
            await stop_others()  # before the ledger is closed (interrupted: the post's requests stop)
            await client.aclose()  # closes the ledger too: no -wal or -shm file is left behind
            if images is not None:
                await images.aclose()

    from .heap import settle

    settle()
    try:
        folder, result = asyncio.run(go())
    except GenerationFailed as e:
        err().print(f"genpost: {e}; the work so far is in {getattr(e, 'folder', out)}", markup=False)
        return 3
    except OutputError as e:
        err().print(f"genpost: {e}", markup=False)
        return e.exit_code
    except KeyboardInterrupt:
        err().print(f"genpost: interrupted; LLM answers received so far are kept in {settings.ledger or 'memory only'}"
                  " and a rerun reuses them", markup=False)
        return 130
    report = result.report
    u = client.usage
    cost = "n/a" if u.cost_usd is None else f"${u.cost_usd:.4f}"
    verdict = "[green]passes[/]" if report.passed else "[red]fails[/]"
    out_console().print(f"{folder}/post.md {verdict} every error-level check" if report.passed else
                      f"{folder}/post.md {verdict}: {', '.join(report.failing_ids())}")
    from .display import plural
    from .folder import PREVIEW

    out_console().print(f"  {plural(len(result.rounds), 'repair round')}, {plural(u.calls, 'LLM call')} "
                      f"({u.cached} cached), {plural(u.tokens, 'token')}, {cost}, "
                      f"{plural(len(report.warnings), 'warning')}; model {client.model.name}", markup=False)
    out_console().print(f"  preview: {folder / PREVIEW}", markup=False)
    return 0 if report.passed else 1


def _results_table(report, show_all: bool) -> Table:
    """The checks as a table that fits 80 columns: what was measured and the target beside the
    check, its message and where it applies below the name. Words wrap whole; a single word wider
    than its column (a long slug) ends in "…" instead of breaking."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .display import check_value, where_text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("", no_wrap=True, width=4)
    table.add_column("check", ratio=1, min_width=28, overflow="ellipsis")
    table.add_column("measured", max_width=16, overflow="ellipsis")
    table.add_column("target", max_width=16, overflow="ellipsis")
    shown = report.results if show_all else [r for r in report.results if not r.passed]
    for r in shown:
        mark = Text("pass", "green") if r.passed else (Text("FAIL", "bold red") if r.severity == "error"
                                                        else Text("warn", "yellow"))
        body = Text(r.id, "bold")
        if r.message:
            body.append("\n" + r.message)
        if r.where and not r.passed:
            body.append("\nin: " + where_text(r.where), "dim")
        table.add_row(mark, body, Text(check_value(r.id, r.value)), Text(r.target))
    return table


def _verdict(report) -> str:
    from .display import plural

    passing = sum(1 for r in report.results if r.passed)
    return (f"{'passes' if report.passed else 'fails'}: {plural(len(report.errors), 'error')}, "
            f"{plural(len(report.warnings), 'warning')}, {plural(passing, 'check')} passed")


def _score_lines(report) -> list[Text]:
    """The SEO plugin's overall scores, as the plugin shows them (green, orange or red)."""
    from .checks.rankmath import rating as rankmath_rating
    from rich.text import Text

    def styled(text: str, rating: str) -> Text:
        return Text(text, {"good": "green", "ok": "yellow"}.get(rating, "red"))

    def yoast_rating(score: int) -> str:  # the plugin's traffic light: > 70 green, > 40 orange
        return "good" if score > 70 else "ok" if score > 40 else "bad"

    lines = []
    if "yoast_seo" in report.scores:
        seo, readability = report.scores["yoast_seo"], report.scores["yoast_readability"]
        worst = min((yoast_rating(seo), yoast_rating(readability)), key=["bad", "ok", "good"].index)
        lines.append(styled(f"Yoast: SEO {seo} ({yoast_rating(seo)}), readability {readability} "
                            f"({yoast_rating(readability)})", worst))
    if "rankmath" in report.scores:
        score = report.scores["rankmath"]
        lines.append(styled(f"Rank Math: {score}/100 ({rankmath_rating(score)}; green above 80)",
                            rankmath_rating(score)))
    return lines


@app.command("check")
def check_cmd(
    post: Path = typer.Argument(..., help="Post to check: block markup (.html) or a document in the seed's "
                                          "layout (SEO Title, Meta Description, URL Slug, WordPress content)."),
    brief: Path = typer.Option(..., "--brief", "-b", help="The brief (YAML) the post must meet."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON for machines."),
    show_all: bool = typer.Option(False, "--all", help="List every check, passed ones too (default: only "
                                                      "failing checks and warnings)."),
    profile: Optional[str] = typer.Option(
        None, "--profile", help="The SEO plugin whose assessments are added to the brief's targets: yoast, "
                                "rankmath or none (default: the brief's wordpress.seo_plugin, else yoast)."),
) -> None:
    """Measure a post against its brief and its SEO plugin's assessments: the failing checks and
    warnings, the plugin's scores, then one summary line.

    Exit codes: 0 every error-level check passes; 1 one fails; 2 bad input (post or brief).
    """
    from .brief import load_brief
    from .checks import PROFILES, run_checks
    from .post import read_post

    if profile is not None and profile not in PROFILES:
        fail(InputError("--profile", None, f"is {profile!r}", "use yoast, rankmath or none"))
    try:
        b = load_brief(brief)
        p = read_post(post)
    except GenpostError as e:
        fail(e)
    report = run_checks(p, b, profile)
    if as_json:
        sys.stdout.write(json.dumps({"post": str(post), "brief": str(brief), "profile": report.profile,
                                     "passed": report.passed, "errors": len(report.errors),
                                     "warnings": len(report.warnings), "scores": report.scores,
                                     "checks": [r.model_dump() for r in report.results]},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        if show_all or not all(r.passed for r in report.results):
            out_console().print(_results_table(report, show_all))
        for line in _score_lines(report):
            out_console().print(line)
        from rich.text import Text

        out_console().print(Text(f"{post} {_verdict(report)}", "green" if report.passed else "red"))
    raise typer.Exit(0 if report.passed else 1)


@app.command("batch")
@run_options
def batch_cmd(
    csv_file: Optional[Path] = typer.Argument(None, metavar="CSV", help="Keywords: a header row with a 'keyword' "
                                              "column; other columns named like brief fields override the brief "
                                              "per row. ',' or ';', UTF-8 (with or without BOM) or cp1252."),
    brief: BriefOpt = None,
    jobs: int = typer.Option(4, "--jobs", "-j", min=1, help="Posts generated at once."),
    rpm: Optional[int] = typer.Option(None, "--rpm", min=1, help="Requests per minute, shared by all posts."),
    max_concurrent: Optional[int] = typer.Option(None, "--max-concurrent-requests", min=1,
                                                 help="LLM requests in flight at once, shared by all posts."),
    force: bool = typer.Option(False, "--force", help="Generate again even posts that an earlier run finished."),
    check_workers: Optional[int] = typer.Option(None, "--check-workers", min=0,
                                                help="Processes that run the checker beside the LLM requests "
                                                     "(default: 1 on a machine with more than one core, else 0)."),
    provider_batch: bool = typer.Option(False, "--provider-batch",
                                        help="Answer through the provider's Batch API (OpenAI, Azure): half the "
                                             "price, within 24 hours, one batch per step. Resumable."),
    provider_batch_above: Optional[int] = typer.Option(None, "--provider-batch-above", min=0, metavar="ROWS",
                                                       help="Use --provider-batch only for a CSV of more than ROWS "
                                                            "rows (live below)."),
    finish_live: bool = typer.Option(False, "--finish-live", help="Ask the lines a provider batch did not answer "
                                     "live, instead of in the next batch."),
    export_requests: Optional[Path] = typer.Option(None, "--export-requests", metavar="FILE.jsonl",
                                                   help="Offline: write the next step's requests to FILE (OpenAI "
                                                        "batch JSONL, for vllm run-batch) and stop."),
    import_responses: Optional[Path] = typer.Option(None, "--import-responses", metavar="FILE.jsonl",
                                                    help="Offline: read the answers to exported requests (vllm "
                                                         "run-batch's output) first, then go on."),
    max_cost: Optional[float] = typer.Option(None, "--max-cost", min=0.0, metavar="USD",
                                             help="Stop before the estimated cost of OUT's answers would pass USD "
                                                  "dollars; the posts done are kept."),
    poll_interval: float = typer.Option(10.0, "--poll-interval", min=0.0, metavar="SECONDS",
                                        help="First wait between polls of a provider batch; it grows to 30 times."),
    batch_endpoint: str = typer.Option("/v1/chat/completions", "--batch-endpoint",
                                       help="The endpoint of batch lines (Azure's older API versions: "
                                            "/chat/completions)."),
    status_of: Optional[Path] = typer.Option(None, "--status", metavar="OUT",
                                             help="Show OUT's provider batches and how many posts are in which "
                                                  "step, then exit."),
    *,
    opts: "RunOptions",
) -> None:
    """Generate a post for every row of CSV. Resumable: finished posts are skipped, paid answers reused.

    Exit codes: 0 every post passed (or, offline, waits for its next answers); 1 some failed,
    errored or had a bad row, or --max-cost stopped the run; 2 bad CSV or brief; 3 the LLM
    refused every request (e.g. the API key was rejected).
    """
    if status_of is not None:
        _print_status(status_of)
        raise typer.Exit(0)

    import asyncio

    from .batch import count_rows, open_csv, run_batch
    from .batch_provider import provider_run

    if opts.verbose:
        _logging()
    if csv_file is None:
        fail(InputError("CSV", None, "missing", "give the keywords file, e.g. genpost batch keywords.csv --brief "
                        "briefs/mittelstand.yaml (or --status OUT)"))
    offline = export_requests is not None or import_responses is not None
    if offline and not opts.api_key:  # nothing is sent anywhere: no key needed
        opts = opts.model_copy(update={"api_key": "offline"})
    if brief is None:
        fail(InputError("", "--brief", "is missing", "give the base brief, e.g. --brief briefs/mittelstand.yaml"))
    out = opts.out
    try:
        from .brief import load_brief
        from .settings import prepare

        base_brief = load_brief(brief)
        info, rows = open_csv(csv_file)
        rows.close()
        run = prepare(opts, base_brief)
    except GenpostError as e:
        fail(e)
    if info.ignored:
        err().print(f"genpost: ignoring columns that are not brief fields: {', '.join(info.ignored)}", markup=False)
    total = count_rows(csv_file)
    try:
        provider = provider_run(rows=total, always=provider_batch, above=provider_batch_above,
                                export_requests=export_requests, import_responses=import_responses,
                                finish_live=finish_live, poll_seconds=poll_interval, endpoint=batch_endpoint,
                                retries=opts.retries, settings=run.llm, max_cost=max_cost)
    except GenpostError as e:
        fail(e)
    progress = _BatchProgress(total)
    from .heap import settle

    settle()
    try:
        with progress:
            result = asyncio.run(run_batch(csv_file, brief, out, run.llm, jobs=jobs, rpm=rpm, images=run.images,
                                           max_concurrent=max_concurrent, force=force, max_rounds=opts.max_rounds,
                                           on_row=progress.row,
                                           check_workers=check_workers if check_workers is not None
                                           else int((os.cpu_count() or 1) > 1),
                                           provider=provider, max_cost=max_cost,
                                           on_event=lambda m: err().print(f"genpost: {m}", markup=False,
                                                                        highlight=False)))
    except GenpostError as e:
        fail(e)
    except OSError as e:
        fail(OutputError(f"could not write the batch's reports into {out} ({e.strerror or type(e).__name__}); "
                         f"finished posts and paid LLM answers ({run.llm.ledger or 'not kept'}) stay where they "
                         "are; run the same command again to go on"))
    except KeyboardInterrupt:
        err().print(f"genpost: interrupted; finished posts are in {out}, LLM answers so far in "
                  f"{run.llm.ledger or 'memory only'}; run the same command again to go on", markup=False)
        raise typer.Exit(130)
    out_console().print(_batch_table(result))
    from .display import plural

    # A skipped row's post passed or failed in the earlier run; that is what the exit code reports.
    outcomes = [r.outcome for r in result.rows()]
    passed, skipped, waiting = outcomes.count("passed"), result.count("skipped"), result.count("waiting")
    out_console().print(f"{passed} of {plural(result.rows_total, 'post')} passed"
                      + (f" ({skipped} of them skipped: done in an earlier run)" if skipped else "")
                      + f"; reports: {out / 'batch-report.csv'}, {out / 'batch-report.json'}, {out / 'index.html'}")
    _print_batch_cost(result)
    if result.stopped:
        err().print(f"genpost: stopped: {result.stopped}; the posts done are kept, and a rerun with a higher "
                  "--max-cost goes on", markup=False)
        raise typer.Exit(1)
    if result.aborted:
        err().print(f"genpost: stopped: {result.aborted}", markup=False)
        raise typer.Exit(3)
    if waiting:
        err().print(f"genpost: {waiting} posts wait for answers"
                  + (f": answer {export_requests} (e.g. vllm run-batch -i {export_requests} -o answers.jsonl "
                     f"--model {run.llm.model}) and run this command again with --import-responses answers.jsonl"
                     if export_requests else ": write their requests with --export-requests FILE"), markup=False)
    code = 0 if passed + waiting == result.rows_total else 1
    if run.target is not None:
        wanted = ("passed", "failed") if opts.publish_failed else ("passed",)
        folders = [out / r.slug for r in result.rows() if r.outcome in wanted and r.slug]
        code = max(code, _publish_folders(folders, run.target, opts.publish_failed))
    raise typer.Exit(code)


@app.command("publish")
def publish_cmd(
    folder: Path = typer.Argument(..., metavar="DIR", help="A post folder written by genpost (OUT/<slug>/), "
                                  "or with --all a folder of them (a batch's OUT)."),
    all_posts: bool = typer.Option(False, "--all", help="Publish every post folder in DIR."),
    publish_failed: bool = typer.Option(False, "--publish-failed", help="Publish posts that fail their checks too."),
    wp_url: WpUrlOpt = None,
    wp_user: WpUserOpt = None,
    wp_app_password: WpPasswordOpt = None,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every WordPress request and retry."),
) -> None:
    """Publish posts to WordPress as drafts (or the brief's wordpress.status), with their SEO fields.

    Idempotent: a rerun updates the same post. What WordPress stored is read back and checked.
    Exit codes: 0 published and the stored post passes; 1 it differs or fails its checks;
    2 bad input; 3 WordPress refused or could not be reached.
    """
    from .folder import find_post_folders, load_folder
    from .publish import resolve_targets

    if verbose:
        _logging()
    try:
        folders = find_post_folders(folder) if all_posts else [folder]
        if not folders:
            raise InputError(str(folder), None, "holds no genpost post folders" if folder.exists() else "not found",
                             "give OUT/<slug>/ or use --all on OUT")
        # Resolve every target first: a missing password, an http URL or a second site stops
        # before any request.
        targets = resolve_targets({f: load_folder(f).brief.wordpress for f in folders}, wp_url, wp_user,
                                  wp_app_password)
    except GenpostError as e:
        fail(e)
    raise typer.Exit(_publish_folders(folders, None, publish_failed, targets_by_folder=targets.__getitem__))


@app.command("preview")
def preview_cmd(
    folder: Path = typer.Argument(..., metavar="DIR", help="A post folder genpost wrote (OUT/<slug>/), or a "
                                  "folder of them (a batch's OUT): then every preview and OUT/index.html."),
    open_page: bool = typer.Option(False, "--open", help="Open the page in the default web browser."),
) -> None:
    """Rebuild a post's preview.html (the post, its Google snippet, its checks, its cost), or a
    batch's previews and index.html, from the folder's files; no LLM, nothing sent anywhere.

    Exit codes: 0 written; 2 DIR is not a post folder or a folder of them.
    """
    from .folder import find_post_folders
    from .preview import write_index, write_preview

    try:
        folders = find_post_folders(folder)
        if not folders:
            raise InputError(str(folder), None, "holds no genpost post folders" if folder.exists() else "not found",
                             "give OUT/<slug>/ or a batch's OUT")
        pages = [write_preview(f) for f in folders]
        page = pages[0] if folders == [folder] else write_index(folder)
    except GenpostError as e:
        fail(e)
    except OSError as e:
        fail(OutputError(f"could not write the preview into {folder} ({e.strerror or type(e).__name__})"))
    from .display import plural

    out_console().print(f"{page}" + (f" (and {plural(len(pages), 'preview')})" if page not in pages else ""),
                      markup=False)
    if open_page:
        import webbrowser

        if not webbrowser.open(page.resolve().as_uri()):
            err().print(f"genpost: no web browser found; open {page.resolve().as_uri()}", markup=False)
    raise typer.Exit(0)


class _BatchProgress:
    """A rich progress bar on a terminal, with one line above it for every row that did not pass
    (line, keyword, why); one plain line per row elsewhere (CI logs). Its counts are the summary
    table's: a row is counted under its status, a skipped row (an earlier run finished it) as
    skipped, and tokens and cost are this run's only."""

    def __init__(self, total: int):
        self.total = total
        self.done = self.tokens = 0
        self.counts: dict[str, int] = {}
        self.cost: float | None = 0.0
        self.live = sys.stderr.isatty()
        self.progress = None

    def __enter__(self) -> "_BatchProgress":
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("posts"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[counts]}"), TimeRemainingColumn(),
                                     TextColumn("{task.fields[tokens]} tokens, {task.fields[cost]}"), console=err())
            self.progress.__enter__()
            self.task = self.progress.add_task("posts", total=self.total, counts=self.counted(), tokens=0,
                                               cost="$0.0000")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def counted(self) -> str:
        """"0 failed" always (the figure people look for), the other non-passing kinds once they occur."""
        from .display import plural

        parts = [f"{self.counts.get('failed', 0)} failed"]
        for status, singular, plural_form in (("error", "error", None), ("bad row", "bad row", None),
                                              ("skipped", "skipped", "skipped"), ("waiting", "waiting", "waiting")):
            if self.counts.get(status):
                parts.append(plural(self.counts[status], singular, plural_form))
        return ", ".join(parts)

    def row(self, r) -> None:
        self.done += 1
        self.counts[r.status] = self.counts.get(r.status, 0) + 1
        self.tokens += r.tokens
        self.cost = None if r.cost_usd is None or self.cost is None else self.cost + r.cost_usd
        cost = "cost n/a" if self.cost is None else f"${self.cost:.4f}"
        if self.progress is not None:
            if r.status in ("failed", "error", "bad row"):
                # Printed through the progress bar's console: above the bar, which stays at the bottom.
                self.progress.console.print(_row_line(r), markup=False, highlight=False)
            self.progress.update(self.task, advance=1, counts=self.counted(), tokens=self.tokens, cost=cost)
        else:
            err().print(f"[{self.done}/{self.total}] line {r.line}: {r.status} {r.slug or r.keyword}"
                      + (f" ({', '.join(r.failing)})" if r.failing else "") + (f" - {r.note}" if r.note else "")
                      + f"; {self.tokens} tokens, {cost} so far", markup=False, highlight=False)


def _row_line(r) -> str:
    """One row that did not pass: its line, keyword and why."""
    if r.status == "failed":
        reason = "fails " + ", ".join(r.failing)
    else:
        reason = r.note or r.status
    return f"line {r.line}: {r.status}: {r.keyword or '(no keyword)'}: {reason}"


def _batch_table(result) -> Table:
    from rich.table import Table

    table = Table(title="batch summary", title_justify="left")
    for column in ("status", "posts", "LLM calls", "tokens", "cost"):
        table.add_column(column, justify="right" if column != "status" else "left")
    order = ["passed", "failed", "error", "bad row", "skipped"]
    for status, t in sorted(result.totals.items(), key=lambda i: (order.index(i[0]) if i[0] in order else 9, i[0])):
        cost = "n/a" if t.cost_usd is None else f"${t.cost_usd:.4f}"
        table.add_row(status, str(t.posts), str(t.calls), str(t.tokens), cost)
    return table


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:.4f}"


def _print_batch_cost(result) -> None:
    """Live against batch prices, when any answer came through a provider batch."""
    total = sum((t.cost_usd or 0.0) for t in result.totals.values())
    batch = sum((t.batch_cost_usd or 0.0) for t in result.totals.values())
    if batch:
        out_console().print(f"cost: {_money(total - batch)} live, {_money(batch)} at batch prices")


# --- the ledger: status of a batch run, the calls, the costs -------------------------------------

def _when(timestamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _print_status(out: Path) -> None:
    from rich.table import Table

    from .llm.ledger_report import open_ledger_at, status

    try:
        with open_ledger_at(out) as ledger:
            report = status(ledger)
    except GenpostError as e:
        fail(e)
    table = Table(title=f"provider batches in {out}", title_justify="left")
    for column in ("batch", "status", "steps", "requests", "done", "failed", "waiting", "created", "updated"):
        table.add_column(column, justify="right" if column in ("requests", "done", "failed", "waiting") else "left",
                         overflow="fold")
    for b in report.batches:
        table.add_row(b.id, b.status, b.steps, str(b.lines), str(b.completed), str(b.failed), str(b.waiting),
                      _when(b.created), _when(b.updated))
    out_console().print(table if report.batches else f"no provider batches in {out}", markup=False)
    posts = ", ".join(f"{n} {state}" for state, n in report.posts.items()) or "none"
    out_console().print(f"posts by step: {posts}", markup=False)
    calls = ", ".join(f"{n} {state}" for state, n in report.calls.items()) or "none"
    out_console().print(f"requests: {calls}", markup=False)


@app.command("log")
def log_cmd(
    out: Path = typer.Argument(..., metavar="OUT", help="The output folder of a run (its ledger, genpost.db)."),
    post: Optional[str] = typer.Option(None, "--post", metavar="SLUG", help="Only the calls of this post."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line, for machines."),
) -> None:
    """List the LLM calls kept in OUT's ledger: when, post, purpose, model, state, tokens, cost,
    seconds and provider batch. Exit codes: 0 listed; 2 OUT has no ledger."""
    from .llm.ledger_report import calls, open_ledger_at

    try:
        ledger = open_ledger_at(out)
    except GenpostError as e:
        fail(e)
    with ledger:
        for c in calls(ledger, post):  # streamed: a ledger may hold millions of calls
            if as_json:
                sys.stdout.write(c.model_dump_json() + "\n")
                continue
            tokens = f"{c.prompt_tokens}+{c.completion_tokens}"
            extra = f" batch {c.batch}" if c.batch else ""
            extra += f" ({c.error})" if c.error and c.status != "answered" else ""
            sys.stdout.write(f"{_when(c.time)}  {c.post or '-'}  {c.purpose or '-'}  {c.model}  {c.status}/{c.mode}  "
                             f"{tokens} tokens  {_money(c.cost_usd)}  {c.seconds:.2f}s{extra}\n")


@app.command("costs")
def costs_cmd(
    out: Path = typer.Argument(..., metavar="OUT", help="The output folder of a run (its ledger, genpost.db)."),
    as_json: bool = typer.Option(False, "--json", help="Print the sums as JSON for machines."),
) -> None:
    """Sum the tokens and estimated cost of OUT's answers by model, step and day, live and at
    batch prices. Exit codes: 0 summed; 2 OUT has no ledger."""
    from .llm.ledger_report import costs, open_ledger_at

    try:
        with open_ledger_at(out) as ledger:
            groups = costs(ledger)
    except GenpostError as e:
        fail(e)
    if as_json:
        sys.stdout.write(json.dumps({name: [dict(line.model_dump(), cost_usd=line.cost_usd) for line in lines]
                                     for name, lines in groups.items()}, indent=2) + "\n")
        return
    from rich.table import Table

    for name, lines in groups.items():
        table = Table(title=f"by {name}", title_justify="left")
        for column in (name, "answers", "tokens in", "tokens out", "live", "batch", "total"):
            table.add_column(column, justify="left" if column == name else "right")
        for line in lines:
            table.add_row(line.group, str(line.calls), str(line.prompt_tokens), str(line.completion_tokens),
                          _money(line.live_cost_usd), _money(line.batch_cost_usd),
                          _money(line.cost_usd) + (f" (+{line.unpriced} unpriced)" if line.unpriced else ""))
        out_console().print(table)


def _interrupt(signum: int, frame: object) -> None:
    # As SIGINT: asyncio.run then cancels the running work gracefully (finally blocks stop the
    # checker workers), which an exception raised at an arbitrary point of the event loop does not.
    signal.raise_signal(signal.SIGINT)


def main() -> None:
    """Entry point: every error ends in one line on stderr and its exit code, never a traceback."""
    try:  # the usage errors of the click that typer uses: its own copy in newer typer
        from typer._click.exceptions import UsageError
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import UsageError

    # SIGTERM (a CI timeout, `kill`, systemd) ends genpost like Ctrl-C: workers stopped, the work
    # so far kept, one line.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = app(prog_name="genpost", standalone_mode=False)
    except UsageError as e:  # unknown option, bad value, missing argument
        where = e.ctx.command_path if e.ctx else "genpost"
        err().print(f"genpost: {e.format_message()} (see {where} --help)", markup=False)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err().print("genpost: interrupted", markup=False)
        sys.exit(130)
    except GenpostError as e:  # raised outside a command's own handling
        err().print(f"genpost: {e}", markup=False)
        sys.exit(e.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
