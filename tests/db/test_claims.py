"""Content claims (db.claims) on a real Postgres: one holder at a time, released by a death."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import text

from db.claims import content_claim, lock_key
from db.session import get_engine


def _sha(name: str) -> str:
    return hashlib.sha256(f"{name}-{os.getpid()}-{time.time()}".encode()).hexdigest()


def _free(url: str, sha256: str) -> bool:
    """True when nobody holds the claim (checked by taking and releasing the lock)."""
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(sha256)})
        if taken:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(sha256)})
        return bool(taken)


def test_a_second_claim_on_the_same_content_waits_for_the_first(migrated_database):
    sha256 = _sha("same")
    events: list[str] = []

    def second() -> None:
        with content_claim(migrated_database, sha256, "second"):
            events.append("second holds")

    with content_claim(migrated_database, sha256, "first"):
        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(1.0)
        events.append("first releases")
    waiter.join(timeout=10)
    assert events == ["first releases", "second holds"]
    assert _free(migrated_database, sha256)


def test_claims_on_different_content_do_not_wait(migrated_database):
    with content_claim(migrated_database, _sha("one"), "a"):
        done = threading.Event()

        def other() -> None:
            with content_claim(migrated_database, _sha("two"), "b"):
                done.set()

        threading.Thread(target=other).start()
        assert done.wait(timeout=10)


def test_a_claim_is_released_when_its_process_is_killed(migrated_database):
    sha256 = _sha("killed")
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time\n"
            "from db.claims import content_claim\n"
            "with content_claim(sys.argv[1], sys.argv[2], 'doomed'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
            migrated_database, sha256,
        ],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not _free(migrated_database, sha256)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not _free(migrated_database, sha256):
            assert time.monotonic() < deadline, "the dead process's claim was not released"
            time.sleep(0.1)
    finally:
        holder.kill()
