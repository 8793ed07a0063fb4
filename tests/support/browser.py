"""A real headless Chromium for tests: load a page, see what it logged and requested.

Uses Debian's ``chromium`` (install with ``.ci/install-chromium.sh``), driven over the DevTools
protocol on a pipe (no port, no extra dependency; see cdp.py).

Example::

    with Browser() as browser:
        page = browser.load(tmp_path / "preview.html")
        assert page.errors == []
        assert page.leaving_requests == []
        assert page.evaluate("document.title") == "..."
        page.screenshot(tmp_path / "preview.png")
        phone = browser.load(tmp_path / "preview.html", width=390, height=844, mobile=True)

Every page is loaded in a fresh browser context (no cookies, cache or storage from an earlier
load). By default every http(s)/ws(s)/ftp request is blocked before it leaves the machine, and
still recorded, so "no request leaves the page" is an assertion on ``leaving_requests`` rather
than a wait for a timeout.

Chromium runs under tests/support/chromium_reaper.py, which is its process-group leader and
reaps everything Chromium starts (including the crash handler, which leaves the group).
:meth:`Browser.close` ends that tree by pid in every case and removes the temporary directory
that holds the profile, HOME and TMPDIR of this Chromium. If the test process dies without
closing, the reaper gets SIGTERM (PR_SET_PDEATHSIG) and still ends the tree; that signal is
tied to the *thread* that started the browser, so start and use it from one long-lived thread
(pytest's main thread).
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cdp import CdpError, CdpPipe

CHROMIUM = Path("/usr/bin/chromium")
# What "Arial" and "Helvetica" resolve to (metric-compatible), from fonts-liberation2 or
# fonts-liberation; .ci/install-chromium.sh installs both and fontconfig prefers the newer.
LIBERATION_SANS = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
REAPER = Path(__file__).resolve().parent / "chromium_reaper.py"

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google's services (updates, field trials,
    # safe browsing, sync), which on a closed network only floods it with failing connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--disable-features=Translate,MediaRouter,OptimizationHints,OptimizationGuideModelDownloading",
    # Even so it looks up accounts.google.com, clients2.google.com and update.googleapis.com
    # (seen with strace). No name resolves, so nothing leaves the machine, not even DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--password-store=basic",
    "--mute-audio",
    # Screenshots and layout: no scrollbar eating into the viewport width, same colours everywhere.
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--remote-debugging-pipe",
)

# Schemes whose requests leave the machine; the rest (file:, data:, blob:) stay local.
_BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]


class BrowserError(RuntimeError):
    """Chromium could not be started, went away, or a page did not load in time."""


class JavaScriptError(RuntimeError):
    """An expression given to :meth:`PageResult.evaluate` threw."""


def chromium_unavailable_reason() -> str | None:
    """``None`` if the browser tests can run, else why not (for ``pytest.skip``)."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"headless Chromium not available: {CHROMIUM} is missing (run: sudo .ci/install-chromium.sh)"
    if not any(font.is_file() for font in LIBERATION_SANS):
        return (
            "headless Chromium not available: no Liberation Sans (fonts-liberation2), so Arial "
            "would not be metric-compatible (run: sudo .ci/install-chromium.sh)"
        )
    return None


@dataclass
class ConsoleMessage:
    """Something the page logged: ``source`` is "console" (console.*), "exception" (uncaught
    error or rejected promise) or "log" (the browser's own log: failed loads, CSP, ...)."""

    source: str
    level: str  # "error", "warning", "info", "log", "debug", "verbose"
    text: str
    url: str | None = None
    line: int | None = None  # 1-based

    def __str__(self) -> str:
        where = f" ({self.url}{'' if self.line is None else f':{self.line}'})" if self.url else ""
        return f"[{self.source}/{self.level}] {self.text}{where}"


@dataclass
class Request:
    """One request the page made (a redirect counts as a further request)."""

    url: str
    method: str
    resource_type: str  # "Document", "Image", "Fetch", "Stylesheet", "Font", "Script", ...
    leaves_page: bool  # anything but the page's own URL and data:/blob: URLs
    status: int | None = None
    failed: bool = False
    error: str | None = None  # e.g. "net::ERR_FILE_NOT_FOUND", "blocked (inspector)"
    blocked: bool = False  # stopped by the browser before it went out
    finished: bool = False

    def __str__(self) -> str:
        outcome = f"failed: {self.error}" if self.failed else f"status {self.status}"
        return f"{self.resource_type} {self.method} {self.url} ({outcome})"


def _leaves_page(url: str, page_url: str) -> bool:
    if url.split("#", 1)[0] == page_url.split("#", 1)[0]:
        return False
    return not url.startswith(("data:", "blob:"))


def _page_url(target: str | os.PathLike[str]) -> str:
    if isinstance(target, str) and ":" in target.split("/", 1)[0]:
        return target  # already a URL (file:, http:, data:, about:)
    path = Path(target).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no page at {path}")
    return path.as_uri()


def _remote_object_text(obj: dict[str, Any]) -> str:
    if "value" in obj:
        return str(obj["value"])
    if "unserializableValue" in obj:
        return obj["unserializableValue"]
    return obj.get("description", obj.get("type", "?"))


class PageResult:
    """A loaded page, open until :meth:`close` or until its browser closes.

    ``messages`` and ``requests`` keep growing while the page is used (e.g. a click through
    :meth:`evaluate` that logs an error), because they are filled as Chromium reports events.
    """

    def __init__(self, browser: Browser, url: str, session_id: str, target_id: str, context_id: str) -> None:
        self._browser = browser
        self._pipe = browser._pipe_or_fail()
        self.url = url
        self.session_id = session_id
        self.target_id = target_id
        self.context_id = context_id
        self.messages: list[ConsoleMessage] = []
        self.requests: list[Request] = []
        self.load_seconds = 0.0
        self._by_id: dict[str, Request] = {}
        self._in_flight: set[str] = set()
        self._last_network = time.monotonic()
        self._recording = False
        self._main_frame: str | None = None
        self._loader: str | None = None
        self._navigated = False
        self._loaded = False
        self.closed = False

    # -- what happened ----------------------------------------------------------------------

    @property
    def errors(self) -> list[ConsoleMessage]:
        """Console errors, uncaught exceptions and error log entries (e.g. a failed load)."""
        return [m for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[ConsoleMessage]:
        return [m for m in self.messages if m.level == "warning"]

    @property
    def leaving_requests(self) -> list[Request]:
        """Requests for anything but the page itself and data:/blob: URLs, blocked or not."""
        return [r for r in self.requests if r.leaves_page]

    @property
    def failed_requests(self) -> list[Request]:
        return [r for r in self.requests if r.failed]

    # -- using the page ---------------------------------------------------------------------

    def evaluate(self, expression: str, *, await_promise: bool = True, timeout: float = 30.0) -> Any:
        """The value of a JavaScript expression (JSON-like values; DOM nodes come back as {}).

        A Promise is awaited. Raises :class:`JavaScriptError` if the expression throws.
        """
        result = self._call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise, "userGesture": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "error")
            raise JavaScriptError(f"{expression[:80]!r} threw: {text}")
        remote = result["result"]
        if "unserializableValue" in remote:  # NaN, Infinity, -0 or a BigInt ("12n")
            value = remote["unserializableValue"]
            return int(value[:-1]) if value.endswith("n") else float(value)
        return remote.get("value")

    def screenshot(self, path: str | os.PathLike[str], *, full_page: bool = True) -> Path:
        """Write a PNG of the page to ``path``: the viewport, or the whole page's height (and
        width, if it is wider than the viewport). Size in pixels = CSS px x device scale."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self._call("Page.getLayoutMetrics")
            content = metrics["cssContentSize"]
            viewport = metrics["cssLayoutViewport"]
            params["captureBeyondViewport"] = True
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": max(content["width"], viewport["clientWidth"]),
                "height": max(content["height"], viewport["clientHeight"]),
                "scale": 1,
            }
        data = self._call("Page.captureScreenshot", params, timeout=60.0)["data"]
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data))
        return out

    def close(self) -> None:
        """Close the tab and its browser context (the browser stays up)."""
        if self.closed:
            return
        self.closed = True
        self._pipe.on_events(self.session_id, None)
        try:
            self._pipe.call("Target.closeTarget", {"targetId": self.target_id})
            self._pipe.call("Target.disposeBrowserContext", {"browserContextId": self.context_id})
        except CdpError:
            pass  # Chromium is gone, and the tab with it

    def report(self) -> str:
        """Messages and leaving or failed requests, for an assertion message."""
        lines = [f"page {self.url}:"]
        lines += [f"  {m}" for m in self.messages]
        lines += [f"  request {r}" for r in self.requests if r.leaves_page or r.failed]
        return "\n".join(lines)

    # -- loading (driven by Browser.load) -----------------------------------------------------

    def _call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 30.0) -> dict[str, Any]:
        if self.closed:
            raise BrowserError(f"{method}: the page is closed")
        try:
            return self._pipe.call(method, params, session_id=self.session_id, timeout=timeout)
        except CdpError as exc:
            raise BrowserError(f"{exc}\n{self._browser.log_tail()}") from None

    def _navigate(self, timeout: float, quiet: float) -> None:
        t0 = time.monotonic()
        deadline = t0 + timeout
        self._recording = True
        answer = self._call("Page.navigate", {"url": self.url}, timeout=timeout)
        if answer.get("errorText"):
            raise BrowserError(f"could not load {self.url}: {answer['errorText']}")
        self._main_frame = answer["frameId"]
        self._loader = answer.get("loaderId")
        if not self._pipe.wait_for(lambda: self._loaded, deadline):
            raise BrowserError(f"{self.url}: no load event within {timeout:.0f} s\n{self.report()}")

        # Network idle: nothing in flight and nothing new for `quiet` seconds (what Chromium's
        # own networkIdle means, with a shorter window: Chromium's costs ~1 s per load).
        def idle() -> bool:
            return not self._in_flight and time.monotonic() - self._last_network >= quiet

        if not self._pipe.wait_for(idle, deadline):
            pending = [str(self._by_id[i]) for i in self._in_flight] or ["nothing"]
            raise BrowserError(
                f"{self.url}: network not idle within {timeout:.0f} s ({len(self.requests)} requests so far, "
                f"the last: {self.requests[-1]}); in flight: " + "; ".join(pending)
            )
        self.load_seconds = time.monotonic() - t0

    def _on_event(self, method: str, params: dict[str, Any]) -> None:
        if not self._recording:
            return
        handler = _EVENT_HANDLERS.get(method)
        if handler is not None:
            handler(self, params)

    def _request_will_be_sent(self, params: dict[str, Any]) -> None:
        request = params["request"]
        url = request["url"] + request.get("urlFragment", "")
        entry = Request(
            url=url,
            method=request.get("method", "GET"),
            resource_type=params.get("type", "Other"),
            leaves_page=_leaves_page(url, self.url),
        )
        previous = self._by_id.get(params["requestId"])
        if previous is not None and "redirectResponse" in params:
            previous.status = params["redirectResponse"].get("status")
            previous.finished = True
        self.requests.append(entry)
        self._by_id[params["requestId"]] = entry
        self._in_flight.add(params["requestId"])
        self._last_network = time.monotonic()

    def _response_received(self, params: dict[str, Any]) -> None:
        entry = self._by_id.get(params["requestId"])
        if entry is not None:
            entry.status = params["response"].get("status")
        self._last_network = time.monotonic()

    def _loading_finished(self, params: dict[str, Any]) -> None:
        entry = self._by_id.get(params["requestId"])
        if entry is not None:
            entry.finished = True
        self._in_flight.discard(params["requestId"])
        self._last_network = time.monotonic()

    def _loading_failed(self, params: dict[str, Any]) -> None:
        entry = self._by_id.get(params["requestId"])
        if entry is not None:
            entry.failed = True
            entry.finished = True
            entry.blocked = bool(params.get("blockedReason"))
            entry.error = params.get("errorText") or (f"blocked ({params['blockedReason']})" if entry.blocked else None)
        self._in_flight.discard(params["requestId"])
        self._last_network = time.monotonic()

    def _frame_navigated(self, params: dict[str, Any]) -> None:
        frame = params["frame"]
        if frame.get("parentId") is None and frame.get("loaderId") == self._loader:
            self._navigated = True

    def _load_event_fired(self, params: dict[str, Any]) -> None:
        # A load event of the about:blank the tab was opened with can still be on its way;
        # ours comes after our navigation committed.
        if self._navigated:
            self._loaded = True

    def _console_api_called(self, params: dict[str, Any]) -> None:
        kind = params.get("type", "log")
        level = {"error": "error", "assert": "error", "warning": "warning"}.get(kind, kind)
        text = " ".join(_remote_object_text(arg) for arg in params.get("args", []))
        frames = params.get("stackTrace", {}).get("callFrames", [])
        url = frames[0]["url"] if frames else None
        line = frames[0]["lineNumber"] + 1 if frames else None
        self.messages.append(ConsoleMessage("console", level, text, url, line))

    def _exception_thrown(self, params: dict[str, Any]) -> None:
        details = params["exceptionDetails"]
        exception = details.get("exception")
        # details["text"] is just "Uncaught"; the exception's description has type and message.
        text = details.get("text", "Uncaught")
        if exception:
            text += " " + (exception.get("description") or _remote_object_text(exception))
        line = details.get("lineNumber")
        self.messages.append(
            ConsoleMessage("exception", "error", text, details.get("url"), None if line is None else line + 1)
        )

    def _log_entry_added(self, params: dict[str, Any]) -> None:
        entry = params["entry"]
        line = entry.get("lineNumber")
        self.messages.append(
            ConsoleMessage("log", entry.get("level", "info"), entry.get("text", ""), entry.get("url"), None if line is None else line + 1)
        )


_EVENT_HANDLERS = {
    "Network.requestWillBeSent": PageResult._request_will_be_sent,
    "Network.responseReceived": PageResult._response_received,
    "Network.loadingFinished": PageResult._loading_finished,
    "Network.loadingFailed": PageResult._loading_failed,
    "Page.frameNavigated": PageResult._frame_navigated,
    "Page.loadEventFired": PageResult._load_event_fired,
    "Runtime.consoleAPICalled": PageResult._console_api_called,
    "Runtime.exceptionThrown": PageResult._exception_thrown,
    "Log.entryAdded": PageResult._log_entry_added,
}


_open_browsers: set[Browser] = set()


@atexit.register
def _close_forgotten_browsers() -> None:
    for browser in list(_open_browsers):
        browser.close()


class Browser:
    """One headless Chromium; use as a context manager or call :meth:`start` / :meth:`close`.

    ``pid`` is the process-group leader (the reaper); Chromium and its helpers are below it.
    """

    def __init__(
        self,
        *,
        executable: str | os.PathLike[str] = CHROMIUM,
        block_external: bool = True,
        startup_timeout: float = 30.0,
        extra_flags: tuple[str, ...] = (),
    ) -> None:
        self.executable = Path(executable)
        self.block_external = block_external
        self.startup_timeout = startup_timeout
        self.extra_flags = extra_flags
        self.version = ""
        self.startup_seconds = 0.0
        self.workdir: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._pipe: CdpPipe | None = None
        self._fds: list[int] = []
        self._log = None
        self._pages: list[PageResult] = []

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def start(self) -> Browser:
        if self._proc is not None:
            raise BrowserError("already started")
        if not os.access(self.executable, os.X_OK):
            raise BrowserError(f"{self.executable} is missing (run: sudo .ci/install-chromium.sh)")
        t0 = time.monotonic()
        self.workdir = Path(tempfile.mkdtemp(prefix="genpost-chromium-"))
        _open_browsers.add(self)
        try:
            self._spawn()
            assert self._pipe is not None
            self.version = self._pipe.call("Browser.getVersion", timeout=self.startup_timeout)["product"]
        except BaseException as exc:
            tail = self.log_tail()
            self.close()
            if isinstance(exc, CdpError):
                raise BrowserError(f"Chromium did not start: {exc}\n{tail}") from None
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _spawn(self) -> None:
        assert self.workdir is not None
        for sub in ("profile", "home", "tmp"):
            (self.workdir / sub).mkdir()
        # Chromium reads commands on its fd 3 and answers on fd 4; the reaper puts them there.
        to_chromium_r, to_chromium_w = os.pipe()
        from_chromium_r, from_chromium_w = os.pipe()
        self._fds = [to_chromium_w, from_chromium_r]
        command = [
            sys.executable, "-I", "-S", str(REAPER), str(to_chromium_r), str(from_chromium_w), str(os.getpid()),
            str(self.executable), *CHROMIUM_FLAGS, *self.extra_flags,
            f"--user-data-dir={self.workdir / 'profile'}",
            "about:blank",
        ]  # fmt: skip
        # HOME and TMPDIR inside workdir: Chromium's ~/.pki, caches and scratch files go where
        # close() removes them.
        env = dict(os.environ, HOME=str(self.workdir / "home"), TMPDIR=str(self.workdir / "tmp"))
        env.pop("CHROMIUM_FLAGS", None)
        self._log = open(self.workdir / "chromium.log", "wb")
        try:
            self._proc = subprocess.Popen(
                command,
                pass_fds=(to_chromium_r, from_chromium_w),
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                env=env,
            )
        finally:
            os.close(to_chromium_r)
            os.close(from_chromium_w)
        self._pipe = CdpPipe(from_chromium_r, to_chromium_w)

    def load(
        self,
        target: str | os.PathLike[str],
        *,
        width: int = 1280,
        height: int = 900,
        mobile: bool = False,
        scale: float = 1.0,
        timeout: float = 30.0,
        quiet: float = 0.5,
    ) -> PageResult:
        """Open ``target`` (a path or URL) in a new tab of a fresh browser context, with a
        ``width`` x ``height`` CSS-px viewport (``mobile``: a phone's viewport, meta viewport
        honoured, touch on), and return once the load event has fired and the network has been
        idle for ``quiet`` s. Raises :class:`BrowserError` if that does not happen within
        ``timeout`` s, FileNotFoundError for a missing file."""
        url = _page_url(target)
        pipe = self._pipe_or_fail()
        try:
            context_id = pipe.call("Target.createBrowserContext")["browserContextId"]
            target_id = pipe.call("Target.createTarget", {"url": "about:blank", "browserContextId": context_id})["targetId"]
            session_id = pipe.call("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        except CdpError as exc:
            raise BrowserError(f"{exc}\n{self.log_tail()}") from None
        page = PageResult(self, url, session_id, target_id, context_id)
        self._pages.append(page)
        pipe.on_events(session_id, page._on_event)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page._call(f"{domain}.enable")
        if self.block_external:
            page._call("Network.setBlockedURLs", {"urls": _BLOCKED})
        page._call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )
        if mobile:
            page._call("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        page._navigate(timeout, quiet)
        return page

    def _pipe_or_fail(self) -> CdpPipe:
        if self._pipe is None or self._pipe.closed:
            raise BrowserError(f"Chromium is not running\n{self.log_tail()}")
        return self._pipe

    def log_tail(self, lines: int = 20) -> str:
        """The end of Chromium's stderr (for failure messages)."""
        if self.workdir is None:
            return ""
        try:
            text = (self.workdir / "chromium.log").read_text(errors="replace")
        except OSError:
            return ""
        return "--- chromium.log ---\n" + "\n".join(text.splitlines()[-lines:])

    def close(self, *, grace: float = 10.0) -> None:
        """Stop Chromium and everything it started, by pid, and remove the temporary directory.

        Asks Chromium to quit; if it has not within ``grace`` s, SIGTERM to the reaper (which
        SIGKILLs the tree); if even that hangs, SIGKILL to the whole process group.
        """
        proc, self._proc = self._proc, None
        if proc is not None:
            if self._pipe is not None and not self._pipe.closed:
                try:
                    self._pipe.send("Browser.close")
                except CdpError:
                    pass
            _stop(proc, grace)
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        self._pipe = None
        if self._log is not None:
            self._log.close()
            self._log = None
        for page in self._pages:
            page.closed = True
        self._pages = []
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        _open_browsers.discard(self)

    def __enter__(self) -> Browser:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(proc: subprocess.Popen, grace: float) -> None:
    """Wait for the reaper (it exits only when Chromium's whole tree is gone), nudging harder
    each time it does not."""
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10.0)
        except subprocess.TimeoutExpired:
            pass
    # The reaper is gone (or hung); anything still in its group goes too. ESRCH = nothing left.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=10.0)
