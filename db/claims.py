"""Claims on content, so that no two workers process the same document at once.

A worker holds a Postgres session-level advisory lock on a document's content hash for as
long as it works on the document (text, then its stages). Another worker, batch or machine
meeting the same content waits for the lock, then finds the document up to date and reuses
it. Why an advisory lock and not the alternatives:

- ``INSERT ... ON CONFLICT`` (which ``repository.claim_document`` already uses) makes one row
  of a content, but both workers would still read and store its text and run its models.
- ``SELECT ... FOR UPDATE SKIP LOCKED`` holds a row lock inside an open transaction for the
  whole document (minutes with a language model): the stages' own writes to that row, on
  other connections, would wait for it, and the transaction would sit idle in the meantime.
- A claim column with an expiry needs a lease long enough for the slowest document yet short
  enough for a dead worker's documents to be taken up again soon; no value is right for both.

An advisory lock conflicts with nothing but itself and needs no lease: it belongs to the
connection, so when the worker's process dies (SIGKILL, the OOM killer) the kernel closes
the socket and Postgres releases the lock at once; Dask then gives the document to another
worker, which takes it. For a machine that disappears without closing its sockets (power
loss), the claim's connection asks Postgres to probe it with TCP keepalives, so its locks
are released within about a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from db.session import get_engine

logger = logging.getLogger(__name__)

# Postgres probes an idle claim connection after 20 s, then every 10 s, and drops it after 3
# unanswered probes: the locks of a machine that vanished are free after about a minute.
_KEEPALIVE = "SET tcp_keepalives_idle = 20; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3"


def lock_key(sha256: str) -> int:
    """The advisory-lock key of a content hash: its first 64 bits as a signed bigint. Two
    contents sharing them (odds ~1e-19 per pair) would only wait for each other."""
    return int.from_bytes(bytes.fromhex(sha256[:16]), "big", signed=True)


@contextmanager
def content_claim(database_url: str, sha256: str, holder: str) -> Iterator[None]:
    """Hold the claim on ``sha256`` while the block runs; wait for it when another worker
    holds it. ``holder`` (host and pid) names this worker in the log line of a wait."""
    key = lock_key(sha256)
    with get_engine(database_url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(_KEEPALIVE)
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            logger.info("%s: content %s… is being processed elsewhere; waiting for it", holder, sha256[:12])
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            except Exception:
                # Lost with the connection, or not released: never hand a pooled connection
                # that may still hold the lock to the next document.
                connection.invalidate()
