"""The installation's own Prefect server: started once, kept, stopped by a handle.

Back-office staff watch runs in the Prefect UI, so runs must go to a server that is there
before and after them, not to the temporary API Prefect starts inside each process (which
also gets only 20 s to start and died on busy machines). The server keeps its state in a
``prefect`` database on the installation's Postgres server (not SQLite: several workers
share it). It listens on loopback by default: the UI shows document text, so on any other
address it requires Prefect's basic authentication (``PREFECT_SERVER_API_AUTH_STRING``).
"""

from __future__ import annotations

import base64
import ipaddress
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings

AUTH_VARIABLE = "PREFECT_SERVER_API_AUTH_STRING"


@dataclass(frozen=True)
class PrefectServer:
    host: str
    port: int
    home: Path
    """PREFECT_HOME of the server process: its log and pid file live here."""

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # where this machine reaches it
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    @property
    def pid_path(self) -> Path:
        return self.home / "server.pid"


def server_of(settings: DocpipeSettings, host: str | None = None, port: int | None = None) -> PrefectServer:
    return PrefectServer(host or settings.prefect_host, port or settings.prefect_port, settings.data_dir / "prefect")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def require_auth_off_loopback(host: str, environ: dict[str, str] | None = None) -> None:
    """Refuse to expose the UI beyond this machine without authentication."""
    environ = os.environ if environ is None else environ
    if not is_loopback(host) and not environ.get(AUTH_VARIABLE):
        raise ConfigurationError(
            f"refusing to start the Prefect server on {host}: the UI shows document text, so an address "
            f"other than loopback needs {AUTH_VARIABLE}=user:password (or bind 127.0.0.1 behind an "
            "authenticating reverse proxy, docs/operations.md)"
        )


def database_url(settings: DocpipeSettings) -> str:
    """The Prefect server's database: ``DOCPIPE_PREFECT_DATABASE`` beside docpipe's, via asyncpg."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url).set(drivername="postgresql+asyncpg", database=settings.prefect_database)
    return url.render_as_string(hide_password=False)


def ensure_database(settings: DocpipeSettings) -> None:
    """Create the Prefect database on docpipe's Postgres server when it is missing."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    name = settings.prefect_database
    engine = create_engine(make_url(settings.database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        raise ConfigurationError(f"cannot create the Prefect database {name!r}: {reason}") from exc
    finally:
        engine.dispose()


def is_healthy(server: PrefectServer, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def authorization_header(auth_string: str) -> dict[str, str]:
    """The header Prefect's basic authentication expects (clients set PREFECT_API_AUTH_STRING)."""
    return {"Authorization": "Basic " + base64.b64encode(auth_string.encode()).decode()}


def _running_pid(server: PrefectServer) -> int | None:
    try:
        pid = int(server.pid_path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def start(settings: DocpipeSettings, host: str | None = None, port: int | None = None) -> tuple[PrefectServer, bool]:
    """Start the server detached (it outlives this process) and wait until it answers.

    Returns the server and whether it was started now (False: one was already answering).
    """
    server = server_of(settings, host, port)
    require_auth_off_loopback(server.host)
    if is_healthy(server):
        return server, False
    process = None
    if _running_pid(server) is None:
        ensure_database(settings)
        server.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(server.home),
            "PREFECT_API_DATABASE_CONNECTION_URL": database_url(settings),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        env.pop("PREFECT_API_URL", None)  # the server is not a client of another one
        if is_loopback(server.host):
            # The browser asks this address for data (elsewhere the operator sets the public one).
            env.setdefault("PREFECT_UI_API_URL", server.api_url)
        with server.log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", server.host, "--port", str(server.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # not ended by this shell's Ctrl-C or exit
            )
        server.pid_path.write_text(str(process.pid))
    deadline = time.monotonic() + settings.prefect_start_timeout_s
    while not is_healthy(server):
        exited = process.poll() is not None if process is not None else _running_pid(server) is None
        if exited:
            raise ConfigurationError(f"the Prefect server exited while starting; its log: {server.log_path}")
        if time.monotonic() > deadline:
            raise ConfigurationError(
                f"the Prefect server did not answer within {settings.prefect_start_timeout_s:g} s "
                f"(DOCPIPE_PREFECT_START_TIMEOUT_S); its log: {server.log_path}"
            )
        time.sleep(0.5)
    return server, True


def stop(settings: DocpipeSettings, timeout: float = 30.0) -> bool:
    """Stop the server ``start`` began; False when none was running."""
    server = server_of(settings)
    pid = _running_pid(server)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)  # its own session: the server and the workers it forked
    deadline = time.monotonic() + timeout
    while _running_pid(server) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if _running_pid(server) is not None:
        os.killpg(pid, signal.SIGKILL)
    server.pid_path.unlink(missing_ok=True)
    return True


def ui_address(flow_run_id: str | None = None) -> str | None:
    """Where the UI shows a run (or its home), for the API this process reports to; None
    when runs go to Prefect's temporary in-process API (nothing to look at afterwards)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

    if not PREFECT_API_URL.value():
        return None
    base = (PREFECT_UI_URL.value() or PREFECT_API_URL.value().removesuffix("/api")).rstrip("/")
    return f"{base}/runs/flow-run/{flow_run_id}" if flow_run_id else base
