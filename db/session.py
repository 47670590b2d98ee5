"""Engines and sessions for the configured database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from docpipe.errors import DatabaseUnavailableError, one_line_reason
from docpipe.settings import get_settings

CONNECTION_ERRORS = (OperationalError, InterfaceError)
"""What a lost or refused connection raises (a restart, an outage), as opposed to bad data."""


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One pooled engine per database URL and process."""
    return create_engine(url or get_settings().database_url, pool_pre_ping=True)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    session = sessionmaker(get_engine(url), expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def wait_for_database(
    url: str, limit_s: float, on_wait: Callable[[float], None] = lambda _delay: None, max_delay_s: float = 30.0
) -> None:
    """Return once the database answers; ``DatabaseUnavailableError`` after ``limit_s``.

    Retries back off from 1 s, doubling up to ``max_delay_s``; ``on_wait(delay)`` is called
    before each pause (for a log line).
    """
    deadline = time.monotonic() + limit_s
    delay = 1.0
    while True:
        try:
            with get_engine(url).connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except CONNECTION_ERRORS as exc:
            if time.monotonic() + delay > deadline:
                raise DatabaseUnavailableError(
                    f"the database has not answered for {limit_s:g} s (DOCPIPE_DATABASE_WAIT_S): {one_line_reason(exc)}"
                ) from exc
            on_wait(delay)
            time.sleep(delay)
            delay = min(delay * 2, max_delay_s)
