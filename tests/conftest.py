"""Shared fixtures: a fresh, migrated Postgres database per test session, settings, Prefect.

The server comes from ``DOCPIPE_DATABASE_URL`` (``scripts/test`` starts the project-local
cluster and sets it); each session gets its own database on it, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")



def _server_url() -> str:
    url = os.environ.get("DOCPIPE_DATABASE_URL")
    if not url:
        pytest.exit("DOCPIPE_DATABASE_URL is not set: run the tests with scripts/test", returncode=2)
    return url


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database on the test server; drop it afterwards."""
    from benchmarks.scratch import scratch_database

    with scratch_database(_server_url(), prefix="docpipe_test") as url:
        yield url


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """URL of an empty database made for this test session (migrated by ``migrated_database``)."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def empty_database() -> Iterator[str]:
    """URL of an empty database of this test alone."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_database(database_url: str) -> str:
    from db.migrate import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture
def settings(migrated_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Settings pointing at the test database, without model stages; ``get_settings()`` agrees."""
    from docpipe.settings import DocpipeSettings, get_settings

    monkeypatch.setenv("DOCPIPE_DATABASE_URL", migrated_database)
    monkeypatch.setenv("DOCPIPE_DATA_DIR", str(tmp_path / "data"))
    # Model stages are opted into by the tests about them (they set DOCPIPE_STAGES again).
    monkeypatch.setenv("DOCPIPE_STAGES", "[]")
    # Audit draws depend on content, which differs per test session: tests about audits opt in.
    monkeypatch.setenv("DOCPIPE_AUDIT_RATE", "0")
    # The cascade's second tier is the small test model too (the built-in 1.5B is for production).
    monkeypatch.setenv("DOCPIPE_EXTRACT_SECOND_MODEL", "smollm2-135m")
    get_settings.cache_clear()
    yield DocpipeSettings()
    get_settings.cache_clear()


@pytest.fixture
def own_settings(settings, empty_database, monkeypatch: pytest.MonkeyPatch):
    """Like ``settings``, on a migrated database of this test alone: for tests that store
    accepted reviews, which every later training in the session would learn from (and so no
    longer rebuild the tiny model's training rows)."""
    from db.migrate import upgrade
    from docpipe.settings import DocpipeSettings, get_settings

    upgrade(empty_database)
    monkeypatch.setenv("DOCPIPE_DATABASE_URL", empty_database)
    get_settings.cache_clear()
    yield DocpipeSettings()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for flow tests (one per session: it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@dataclass(frozen=True)
class PrefectServer:
    url: str

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """``prefect server start`` on a free loopback port, with its own home (SQLite)."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    server = PrefectServer(url=f"http://127.0.0.1:{port}")
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        # The UI asks this URL for data; it would otherwise assume the default port 4200.
        "PREFECT_UI_API_URL": server.api_url,
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Prefect server did not start:\n{(home / 'server.log').read_text()[-3000:]}")
        time.sleep(0.5)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def prefect_env(server: PrefectServer, **extra: str) -> Iterator[dict[str, str]]:
    """Environment for a docpipe subprocess reporting to ``server``."""
    yield {**os.environ, "PREFECT_API_URL": server.api_url, **extra}


# A tiny classifier trained once per test session (real MiniLM backbone, ~40 generated docs).
TINY = {"epochs": 2, "max_length": 64, "synthetic_per_label": 3, "batch_size": 16}


@dataclass
class TinyModel:
    settings: object
    """Settings whose data_dir holds the model (as 'current')."""
    directory: Path
    result: object
    """classifier.train.TrainingResult: the in-memory model, as trained."""
    data: object


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Iterator[TinyModel]:
    from classifier.taxonomy import Taxonomy
    from classifier.promotion import Promotion
    from classifier.saving import save_model
    from classifier.train import fine_tune
    from classifier.training_set import TrainConfig, assemble_training_set
    from db.migrate import upgrade
    from docpipe.settings import DocpipeSettings

    # A database of its own: its review_labels stay empty, so the model's training rows can be
    # rebuilt (docpipe eval classify) whatever reviews other tests store in theirs.
    with fresh_database() as url:
        upgrade(url)
        settings = DocpipeSettings(database_url=url, data_dir=tmp_path_factory.mktemp("tiny-model"), classifier_bf16=False)
        taxonomy = Taxonomy.load()
        config = TrainConfig(**TINY)
        data = assemble_training_set(settings, taxonomy, [], config)
        result = fine_tune(data, taxonomy, config, threads=2)
        directory = save_model(settings, result, data, Promotion(True, "first model"))
        yield TinyModel(settings, directory, result, data)
