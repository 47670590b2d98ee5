"""Where a batch's documents are processed: in the flow's own process (the default), on a
local Dask cluster of ``DOCPIPE_WORKERS`` processes, or on the Dask cluster at
``DOCPIPE_DASK_ADDRESS`` (docs/operations.md, "Scaling out").

Documents go to Dask as Prefect tasks (``prefect_dask.DaskTaskRunner``): Dask places them on
free workers and, when a worker dies, gives its documents to another one. Postgres is the only
state the workers share; ``db.claims`` keeps two of them off the same content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from docpipe.errors import SchedulerUnavailableError, one_line_reason
from docpipe.settings import DocpipeSettings

def uses_dask(settings: DocpipeSettings) -> bool:
    return settings.dask_address is not None or settings.workers > 1


def check_scheduler(settings: DocpipeSettings) -> int:
    """The number of workers the scheduler at ``DOCPIPE_DASK_ADDRESS`` has now;
    ``SchedulerUnavailableError`` when it does not answer in ``DOCPIPE_DASK_CONNECT_TIMEOUT_S``."""
    from distributed import Client

    assert settings.dask_address is not None
    try:
        with Client(settings.dask_address, timeout=settings.dask_connect_timeout_s, set_as_default=False) as client:
            return len(client.scheduler_info(n_workers=-1)["workers"])
    except (OSError, TimeoutError, ValueError) as exc:  # refused, unreachable, not a Dask address
        raise SchedulerUnavailableError(
            f"the Dask scheduler at {settings.dask_address} (DOCPIPE_DASK_ADDRESS) does not answer: "
            f"{one_line_reason(exc)}"
        ) from exc


def local_worker_settings(settings: DocpipeSettings) -> DocpipeSettings:
    """The settings each of ``settings.workers`` local workers runs with: the machine's
    threads (the model's, torch's, Tesseract's pages at once) shared out among them, so that
    N workers on this machine do not each take all its cores."""
    share = settings.workers
    return settings.model_copy(
        update={
            "extract_threads": max(1, settings.extract_threads // share),
            "classifier_threads": max(1, settings.classifier_threads // share),
            "ocr_workers": max(1, settings.ocr_workers // share),
        }
    )


@contextmanager
def _api_for_workers() -> Iterator[None]:
    """Workers are other processes, and they report their task runs to the flow's Prefect
    API. Without a configured one (``PREFECT_API_URL``), the flow talks to a temporary server
    Prefect started in this process; its address is handed on, or each worker would start a
    temporary server of its own (20 s each, and all on one SQLite file)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    with get_client(sync_client=True) as client:
        url = str(client.api_url)
    with temporary_settings({PREFECT_API_URL: url}):
        yield


@contextmanager
def document_runner(settings: DocpipeSettings) -> Iterator[Any]:
    """A started ``DaskTaskRunner`` for the batch, or None to process in this process."""
    if not uses_dask(settings):
        yield None
        return
    import dask
    from prefect_dask import DaskTaskRunner

    # The scheduler of a local cluster lives in this process: its routine INFO lines
    # (workers joining, comms closing) would bury the run's own log.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if settings.dask_address is not None:
        runner = DaskTaskRunner(address=settings.dask_address)
    else:
        # Not daemonic (Dask's default), because the extraction stage runs its model in a
        # child process and daemonic processes may not have children. The venv's Dask
        # configuration says the same for `dask worker` (scripts/bootstrap.sh, dask.yaml).
        dask.config.set({"distributed.worker.daemon": False})
        runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
                "silence_logs": logging.WARNING,
            }
        )
    with _api_for_workers(), runner:
        yield runner
