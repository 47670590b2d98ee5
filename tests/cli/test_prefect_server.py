"""The installation's Prefect server: loopback by default, authentication required elsewhere,
its database in docpipe's Postgres."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cli import prefect_server
from docpipe.errors import ConfigurationError
from docpipe.settings import DocpipeSettings
from tests.conftest import _free_port


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_no_authentication(host):
    prefect_server.require_auth_off_loopback(host, environ={})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "docs.example.internal"])
def test_any_other_address_is_refused_without_authentication(host):
    with pytest.raises(ConfigurationError, match="PREFECT_SERVER_API_AUTH_STRING"):
        prefect_server.require_auth_off_loopback(host, environ={})
    prefect_server.require_auth_off_loopback(host, environ={"PREFECT_SERVER_API_AUTH_STRING": "ops:secret"})


def test_the_command_refuses_in_one_line_and_starts_nothing(tmp_path, migrated_database):
    env = {
        "PATH": "/usr/bin:/bin",
        "DOCPIPE_DATABASE_URL": migrated_database,
        "DOCPIPE_DATA_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "server", "start", "--host", "0.0.0.0", "--port", str(_free_port())],
        capture_output=True, text=True, env=env,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "refusing to start the Prefect server on 0.0.0.0" in run.stderr
    assert not (tmp_path / "prefect").exists()


def test_prefect_database_url_sits_beside_docpipes():
    settings = DocpipeSettings(database_url="postgresql+psycopg://docpipe:pw@db.local:5433/docpipe")
    assert prefect_server.database_url(settings) == "postgresql+asyncpg://docpipe:pw@db.local:5433/prefect"


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_a_server_on_every_address_requires_authentication_and_keeps_its_state_in_postgres(
    tmp_path, migrated_database, monkeypatch
):
    database = f"prefect_test_{uuid.uuid4().hex[:8]}"
    settings = DocpipeSettings(
        database_url=migrated_database, data_dir=tmp_path, prefect_database=database,
        prefect_host="0.0.0.0", prefect_port=_free_port(), prefect_start_timeout_s=300,
    )
    monkeypatch.setenv("PREFECT_SERVER_API_AUTH_STRING", "ops:secret")
    server, started = prefect_server.start(settings)
    try:
        assert started and prefect_server.is_healthy(server)
        assert prefect_server.start(settings) == (server, False)  # once: a second start finds it
        version = f"{server.api_url}/admin/version"
        assert _status(version) == 401
        assert _status(version, prefect_server.authorization_header("ops:wrong")) == 401
        assert _status(version, prefect_server.authorization_header("ops:secret")) == 200
        engine = create_engine(make_url(migrated_database).set(database=database))
        with engine.connect() as connection:
            tables = connection.scalar(text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'flow_run'"))
        engine.dispose()
        assert tables == 1
    finally:
        assert prefect_server.stop(settings)
        admin = create_engine(make_url(migrated_database).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    assert not prefect_server.is_healthy(server)
    assert not prefect_server.stop(settings)
