"""A real, throwaway WordPress for integration tests.

Uses Debian's packages (install them with ``.ci/install-wordpress.sh``):
``wordpress``, ``php-cli``, ``php-mysql``, ``mariadb-server-core``.

:class:`WordPressServer` builds everything in a temporary directory and leaves
/usr/share/wordpress and /etc untouched:

* a private MariaDB (``mariadbd`` on a unix socket, networking off),
* a docroot that is a symlink farm onto /usr/share/wordpress with our own
  ``wp-config.php`` and ``wp-content`` (mu-plugins: ``wordpress/genpost-seo-meta.php``
  and ``tests/support/wp_mu_test_env.php``),
* WordPress installed by ``tests/support/wp_setup.php`` (admin user + an
  Application Password),
* ``php -S 127.0.0.1:PORT`` with ``tests/support/wp_router.php``, so
  ``/wp-json/...`` URLs work.

``stop()`` ends both processes by pid and removes the directory.

Example::

    with WordPressServer() as wp:
        auth = (wp.user, wp.app_password)
        httpx.post(wp.rest_url + "wp/v2/posts", auth=auth, json={...})
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SUPPORT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SUPPORT_DIR.parent.parent
SEO_META_PLUGIN = REPO_ROOT / "wordpress" / "genpost-seo-meta.php"
WP_CORE = Path("/usr/share/wordpress")

# Executables and where they come from (for the skip reason).
_REQUIRED = {
    "php": "php-cli",
    "mariadbd": "mariadb-server-core",
    "mariadb-install-db": "mariadb-server-core",
}
_SEARCH_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
)


class WordPressError(RuntimeError):
    """The test WordPress could not be started."""


def _which(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


def wordpress_unavailable_reason() -> str | None:
    """Return ``None`` if a test WordPress can be started, else why not.

    Meant for ``pytest.skip(reason)`` / ``skipif``; CI installs the packages
    with ``.ci/install-wordpress.sh``.
    """
    missing = sorted({pkg for exe, pkg in _REQUIRED.items() if _which(exe) is None})
    if not (WP_CORE / "wp-settings.php").is_file():
        missing.append("wordpress")
    if missing:
        return (
            "real WordPress not available: missing Debian package(s) "
            + ", ".join(missing)
            + " (run: sudo .ci/install-wordpress.sh)"
        )
    php = _which("php")
    probe = subprocess.run(
        [php, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"],
        capture_output=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return "real WordPress not available: PHP has no mysqli (install php-mysql)"
    if not SEO_META_PLUGIN.is_file():
        return f"real WordPress not available: {SEO_META_PLUGIN} is missing"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _php_str(value: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class WordPressServer:
    """A WordPress on ``http://127.0.0.1:PORT`` with its own MariaDB.

    Attributes after :meth:`start`: ``url`` (no trailing slash), ``rest_url``
    (``url + "/wp-json/"``), ``user``, ``password`` (login password),
    ``app_password`` (Application Password for HTTP Basic auth), ``user_id``,
    ``wp_version``, ``workdir``.
    """

    def __init__(
        self,
        *,
        user: str = "redaktion",
        locale: str = "de_DE",
        title: str = "genpost Test",
        startup_timeout: float = 60.0,
        keep_workdir: bool = False,
    ) -> None:
        self.user = user
        self.locale = locale
        self.title = title
        self.startup_timeout = startup_timeout
        self.keep_workdir = keep_workdir
        self.password = secrets.token_urlsafe(16)
        self.url = ""
        self.rest_url = ""
        self.app_password = ""
        self.user_id = 0
        self.wp_version = ""
        self.port = 0
        self.workdir: Path | None = None
        self.startup_seconds = 0.0
        self._db_proc: subprocess.Popen | None = None
        self._php_proc: subprocess.Popen | None = None
        self._logs: list = []

    # -- public API ---------------------------------------------------------

    def start(self) -> "WordPressServer":
        if self.workdir is not None:
            raise WordPressError("already started")
        reason = wordpress_unavailable_reason()
        if reason:
            raise WordPressError(reason)
        t0 = time.monotonic()
        deadline = t0 + self.startup_timeout
        # Unix socket paths are limited to ~107 bytes: stay short.
        base = None if len(tempfile.gettempdir()) < 60 else "/tmp"
        self.workdir = Path(tempfile.mkdtemp(prefix="genpost-wp-", dir=base))
        try:
            self._start_mariadb(deadline)
            self._make_docroot()
            self._install_wordpress(deadline)
            self._start_php(deadline)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def stop(self) -> None:
        """Stop php and mariadbd (by pid) and remove the temporary directory."""
        for attr in ("_php_proc", "_db_proc"):
            proc = getattr(self, attr)
            if proc is not None:
                _terminate(proc)
                setattr(self, attr, None)
        for f in self._logs:
            f.close()
        self._logs = []
        if self.workdir is not None and not self.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None

    def __enter__(self) -> "WordPressServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def auth(self) -> tuple[str, str]:
        """``(user, app_password)`` for HTTP Basic auth (httpx ``auth=``)."""
        return (self.user, self.app_password)

    def debug_log(self) -> str:
        """WordPress's debug.log, php's and mariadbd's logs (for failure messages)."""
        if self.workdir is None:
            return ""
        parts = []
        for name in ("wp-debug.log", "php.log", "mariadb/error.log"):
            parts.append(f"--- {name} ---\n{_tail(self.workdir / name, 50)}")
        return "\n".join(parts)

    # -- MariaDB ------------------------------------------------------------

    @property
    def socket_path(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "mariadb" / "mysqld.sock"

    def _start_mariadb(self, deadline: float) -> None:
        assert self.workdir is not None
        dbdir = self.workdir / "mariadb"
        datadir = dbdir / "data"
        dbdir.mkdir()
        tuning = [
            "--innodb-buffer-pool-size=16M",
            "--innodb-log-file-size=8M",
            "--skip-log-bin",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
        ]
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        install = subprocess.run(
            [
                _which("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *as_root,
                *tuning,
            ],
            cwd=dbdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=max(5.0, deadline - time.monotonic()),
        )
        if install.returncode != 0:
            raise WordPressError(f"mariadb-install-db failed:\n{install.stdout[-3000:]}")

        self._db_proc = subprocess.Popen(
            [
                _which("mariadbd"),
                "--no-defaults",
                f"--datadir={datadir}",
                f"--socket={self.socket_path}",
                "--skip-networking",
                f"--pid-file={dbdir / 'mysqld.pid'}",
                f"--log-error={dbdir / 'error.log'}",
                *as_root,
                *tuning,
            ],
            cwd=dbdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while not self._mariadb_answers():
            if self._db_proc.poll() is not None:
                raise WordPressError(
                    f"mariadbd exited with {self._db_proc.returncode}:\n{_tail(dbdir / 'error.log')}"
                )
            if time.monotonic() > deadline:
                raise WordPressError(f"mariadbd did not come up:\n{_tail(dbdir / 'error.log')}")
            time.sleep(0.05)

        self.db_name, self.db_user = "genpost", "genpost"
        self.db_password = secrets.token_hex(12)
        sql = (
            f"CREATE DATABASE `{self.db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE USER '{self.db_user}'@'localhost' IDENTIFIED BY '{self.db_password}';"
            f"GRANT ALL PRIVILEGES ON `{self.db_name}`.* TO '{self.db_user}'@'localhost';"
        )
        client = _which("mariadb") or _which("mysql")
        if client:
            cmd = [client, "--no-defaults", f"--socket={self.socket_path}", "-uroot", "-e", sql]
        else:  # no client package: PHP's mysqli can do it too
            php_code = (
                "$m = new mysqli('localhost', 'root', '', '', 0, $argv[1]);"
                "if (!$m->multi_query($argv[2])) { fwrite(STDERR, $m->error); exit(1); }"
                "do { if ($m->errno) { fwrite(STDERR, $m->error); exit(1); } } while ($m->more_results() && $m->next_result());"
                "if ($m->errno) { fwrite(STDERR, $m->error); exit(1); }"
            )
            cmd = [_which("php"), "-r", php_code, str(self.socket_path), sql]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise WordPressError(f"creating the database failed: {res.stderr}")

    def _mariadb_answers(self) -> bool:
        """True once mariadbd sends its handshake on the unix socket."""
        if not self.socket_path.exists():
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                s.connect(str(self.socket_path))
                greeting = s.recv(64)
        except OSError:
            return False
        # 3-byte length, sequence id, then protocol version 10.
        return len(greeting) > 4 and greeting[4] == 10

    # -- docroot ------------------------------------------------------------

    @property
    def docroot(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "htdocs"

    def _make_docroot(self) -> None:
        assert self.workdir is not None
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.rest_url = self.url + "/wp-json/"

        root = self.docroot
        root.mkdir()
        for entry in WP_CORE.iterdir():
            if entry.name in ("wp-config.php", "wp-content"):
                continue
            (root / entry.name).symlink_to(entry)
        content = root / "wp-content"
        for sub in ("mu-plugins", "plugins", "themes", "uploads"):
            (content / sub).mkdir(parents=True)
        # Copies (not symlinks) so the repo files are never touched by the instance.
        shutil.copy2(SEO_META_PLUGIN, content / "mu-plugins" / SEO_META_PLUGIN.name)
        shutil.copy2(SUPPORT_DIR / "wp_mu_test_env.php", content / "mu-plugins" / "genpost-test-env.php")
        # Debian's package ships no theme without Recommends; the REST API does
        # not need one, but keep any that is there available.
        core_themes = WP_CORE / "wp-content" / "themes"
        if core_themes.is_dir():
            for theme in core_themes.iterdir():
                (content / "themes" / theme.name).symlink_to(theme)

        keys = "\n".join(
            f"define({_php_str(k)}, {_php_str(secrets.token_hex(32))});"
            for k in (
                "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
            )
        )
        config = f"""<?php
// Written by tests/support/wordpress.py for one test run. ABSPATH is defined
// by wp_router.php / wp_setup.php (see there why).
define('DB_NAME', {_php_str(self.db_name)});
define('DB_USER', {_php_str(self.db_user)});
define('DB_PASSWORD', {_php_str(self.db_password)});
define('DB_HOST', {_php_str('localhost:' + str(self.socket_path))});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
{keys}
define('WP_HOME', {_php_str(self.url)});
define('WP_SITEURL', {_php_str(self.url)});
define('WP_CONTENT_DIR', {_php_str(str(content))});
define('WP_CONTENT_URL', {_php_str(self.url + '/wp-content')});
// 'local' lets Application Passwords work over plain http.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', {_php_str(str(self.workdir / 'wp-debug.log'))});
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('FS_METHOD', 'direct');
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""
        (root / "wp-config.php").write_text(config)

    # -- WordPress install + php -S ----------------------------------------

    def _php_cmd(self) -> list[str]:
        return [_which("php"), "-d", "display_errors=stderr", "-d", "memory_limit=256M"]

    def _install_wordpress(self, deadline: float) -> None:
        env = dict(os.environ)
        env.update(
            GENPOST_WP_URL=self.url,
            GENPOST_WP_USER=self.user,
            GENPOST_WP_PASSWORD=self.password,
            GENPOST_WP_EMAIL=f"{self.user}@example.org",
            GENPOST_WP_TITLE=self.title,
            GENPOST_WP_LOCALE=self.locale,
        )
        res = subprocess.run(
            [*self._php_cmd(), str(SUPPORT_DIR / "wp_setup.php"), str(self.docroot)],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.docroot,
            timeout=max(5.0, deadline - time.monotonic()),
        )
        data = None
        for line in res.stdout.splitlines():
            if line.startswith("GENPOST_WP_SETUP "):
                data = json.loads(line.split(" ", 1)[1])
        if res.returncode != 0 or data is None:
            raise WordPressError(
                f"wp_setup.php failed (exit {res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}"
            )
        self.app_password = data["app_password"]
        self.user_id = data["user_id"]
        self.wp_version = data["wp_version"]

    def _start_php(self, deadline: float) -> None:
        assert self.workdir is not None
        # Log to a file, never to a pipe nobody reads (a full pipe blocks php).
        log = open(self.workdir / "php.log", "ab")
        self._logs.append(log)
        env = dict(os.environ)
        env.pop("PHP_CLI_SERVER_WORKERS", None)  # one process: one pid to stop
        self._php_proc = subprocess.Popen(
            [
                *self._php_cmd(),
                "-S",
                f"127.0.0.1:{self.port}",
                "-t",
                str(self.docroot),
                str(SUPPORT_DIR / "wp_router.php"),
            ],
            cwd=self.docroot,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        probe = self.rest_url
        last_error = ""
        while True:
            if self._php_proc.poll() is not None:
                raise WordPressError(
                    f"php -S exited with {self._php_proc.returncode}:\n{_tail(self.workdir / 'php.log')}"
                )
            try:
                with urllib.request.urlopen(probe, timeout=5) as resp:
                    if resp.status == 200 and json.load(resp).get("namespaces"):
                        return
            except (urllib.error.URLError, OSError, ValueError) as exc:
                last_error = repr(exc)
            if time.monotonic() > deadline:
                raise WordPressError(f"WordPress did not answer on {probe}: {last_error}\n{self.debug_log()}")
            time.sleep(0.05)


def _terminate(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, wait, SIGKILL if needed: only this pid."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait(timeout=timeout)
