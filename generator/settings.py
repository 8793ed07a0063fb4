"""What a run is set to do, resolved once from flags, the environment and the brief: the options
the main job and `batch` share, the LLM settings they imply, and where to publish. Raises
InputError for anything missing or unsafe, before the first paid request."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from .errors import InputError
from .urls import is_local

if TYPE_CHECKING:
    from .brief import Brief
    from .llm import ImageSettings, LLMSettings
    from .publish import WordPressTarget


class RunOptions(BaseModel):
    """The options of the main job and of `batch`, declared once (cli.py makes them flags)."""

    model_config = ConfigDict(frozen=True)

    dry_run: bool = False
    out: Path = Path("out")
    model: str | None = None
    base_url: str | None = None
    image_model: str | None = None
    image_base_url: str | None = None
    api_key: str | None = None
    seed: int = 1
    max_rounds: int = 4
    cache_dir: Path | None = None
    no_cache: bool = False
    timeout: float = 120.0
    retries: int = 5
    retry_time: float = 120.0
    publish: bool = False
    publish_failed: bool = False
    wp_url: str | None = None
    wp_user: str | None = None
    wp_app_password: str | None = None
    verbose: bool = False

    def __repr__(self) -> str:  # never show a secret
        return f"RunOptions(model={self.model!r}, base_url={self.base_url!r}, out={str(self.out)!r})"

    __str__ = __repr__

    @property
    def publishing(self) -> bool:
        return self.publish or self.publish_failed


@dataclass(frozen=True)
class Prepared:
    """A run ready to start: the LLM settings and, when publishing, the WordPress target."""

    llm: LLMSettings
    images: ImageSettings
    target: WordPressTarget | None = None


def prepare(opts: RunOptions, brief: Brief) -> Prepared:
    """Everything that can be refused is refused here, before any LLM spend: no key, an output
    folder that cannot be written, a missing WordPress password or an http site."""
    from .llm.pricing import price_table

    llm = llm_settings(opts)
    price_table()  # a bad GENPOST_PRICES is found now, not after the first paid answer
    target = wordpress_target(brief, opts) if opts.publishing else None
    # Last, as they make the folders: nothing is written for a run that is refused.
    check_out_dir(opts.out)
    if opts.cache_dir is not None and not opts.no_cache:
        check_writable(opts.cache_dir, "--cache-dir")
    return Prepared(llm=llm, images=image_settings(opts, llm), target=target)


def llm_settings(opts: RunOptions) -> LLMSettings:
    from .llm import DEFAULT_MODEL, MOCK, LLMSettings, is_offline
    from .llm.ledger import ledger_path
    from .retry import RetryPolicy

    name = MOCK if opts.dry_run else (opts.model or DEFAULT_MODEL)
    if is_offline(name) and name != MOCK:
        from .llm.sloppy import SloppyRates

        try:
            SloppyRates.parse(name.partition(":sloppy")[2].removeprefix(":"))
        except ValueError as e:
            raise InputError("--model", None, str(e).splitlines()[0],
                             "write e.g. mock:sloppy or mock:sloppy:clean,refusal=0.5") from None
    api_key = opts.api_key
    if not is_offline(name) and not api_key:
        if not is_local(opts.base_url):
            raise InputError("", None, "no API key",
                             "set OPENAI_API_KEY or pass --api-key, or try it offline with --dry-run")
        api_key = "local"  # local servers (Ollama, vLLM) accept any key
    # The ledger (every request and answer) is OUT/genpost.db, or genpost.db in --cache-dir; an
    # older genpost's answer files there (OUT/.cache, or --cache-dir itself) are migrated once.
    ledger = None if opts.no_cache else ledger_path(opts.cache_dir or opts.out)
    legacy = None if opts.no_cache else (opts.cache_dir or opts.out / ".cache")
    return LLMSettings(model=name, base_url=opts.base_url, api_key=api_key, seed=opts.seed, timeout=opts.timeout,
                       ledger=ledger, legacy_cache=legacy,
                       retry=RetryPolicy(attempts=opts.retries + 1, total_seconds=opts.retry_time))


def image_settings(opts: RunOptions, llm: LLMSettings) -> ImageSettings:
    """The image model: the mock with an offline text model (a dry run, mock:sloppy), else
    --image-model at --image-base-url (default: the text model's endpoint and key)."""
    from .llm import DEFAULT_IMAGE_MODEL, MOCK, ImageSettings, is_offline

    name = MOCK if is_offline(llm.model) else (opts.image_model or DEFAULT_IMAGE_MODEL)
    return ImageSettings(model=name, base_url=opts.image_base_url or llm.base_url, api_key=llm.api_key,
                         timeout=max(llm.timeout, 60.0),
                         ledger=llm.ledger, retry=llm.retry)


def check_out_dir(out: Path) -> None:
    parent = out.resolve().parent
    if not parent.is_dir():
        raise InputError("--out", None, f"the parent folder {parent} does not exist", "create it or choose another --out")
    check_writable(out, "--out")


def check_writable(folder: Path, flag: str) -> None:
    """The folder exists (or is made) and a file can be written in it: a read-only or full disk
    is found before the first paid request, not after it."""
    if folder.exists() and not folder.is_dir():
        raise InputError(flag, None, f"{folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".genpost-write-test-"):
            pass
    except OSError as e:
        raise InputError(flag, None, f"{folder} cannot be written ({e.strerror or type(e).__name__})",
                         "choose a folder on a writable disk with free space") from None


def wordpress_target(brief: Brief, opts: RunOptions) -> WordPressTarget:
    from .publish import resolve_target

    return resolve_target(brief.wordpress, opts.wp_url, opts.wp_user, opts.wp_app_password)
