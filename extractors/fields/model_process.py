"""The extraction model in a supervised child process: a native crash costs one document.

llama.cpp is native code. An instruction the CPU lacks (SIGILL), a fault in a kernel
(SIGSEGV) or the kernel's OOM killer ends the process it runs in; in the processing flow's
own process that lost the whole batch. Here the model lives in a child process, and the
parent only exchanges messages with it: when the child dies, the call in hand raises
``ModelCrashedError`` (the stage records it on that document) and the next call starts a
fresh child, which loads the model again (seconds: the weights are memory-mapped).

The child is spawned, not forked: it shares no threads, locks or open connections of the
parent (torch's thread pool, the database pool, Prefect's event loop).
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
from multiprocessing.connection import Connection
from typing import Any

from pydantic import BaseModel

from docpipe.errors import ConfigurationError, ModelCrashedError
from docpipe.settings import DocpipeSettings
from extractors.fields.backends import Generation, LLMBackend, load_backend
from extractors.fields.model_files import ModelFile

POLL_SECONDS = 0.2
"""How often a waiting parent checks that the child is still alive."""


def _picklable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the pipe, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _serve(connection: Connection, settings: DocpipeSettings, model: ModelFile) -> None:
    """The child: load the backend, then answer ``(method, args)`` requests until the pipe closes."""
    # Ctrl-C reaches the whole process group; the parent decides, and its exit closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        backend = load_backend(settings, model)
    except BaseException as exc:
        connection.send(("error", _picklable(exc)))
        return
    connection.send(("ok", {"name": backend.name, "runtime": backend.runtime}))
    while True:
        try:
            method, args = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            result = getattr(backend, method)(*args)
        except Exception as exc:
            connection.send(("error", _picklable(exc)))
        else:
            connection.send(("ok", result))


def death_reason(exitcode: int | None) -> str:
    """``model process died (signal 9, SIGKILL)``, or the exit status it ended with."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"model process died (signal {-exitcode}, {name})"
    return f"model process exited unexpectedly (status {exitcode})"


class SupervisedBackend:
    """An ``LLMBackend`` (``extractors.fields.backends``) whose model runs in a child process.

    Construction starts the child and waits for the model to load, so a configuration error
    (no model file, a CPU the runtime was not built for) surfaces as it does in process.
    """

    def __init__(self, settings: DocpipeSettings, model: ModelFile) -> None:
        self.settings = settings
        self.model = model
        self.name = settings.extract_backend
        self.runtime = ""
        self.restarts = 0
        self._process: Any = None
        self._connection: Connection | None = None
        self._start()

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (for operators and tests)."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def _start(self) -> None:
        if multiprocessing.current_process().daemon:
            raise ConfigurationError(
                "the language model cannot start in a daemonic process: start Dask workers from the "
                "project's venv, whose Dask configuration says `distributed.worker.daemon: false` "
                "(scripts/dask.yaml, installed by scripts/bootstrap.sh), or set DASK_DISTRIBUTED__WORKER__DAEMON=False"
            )
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_serve, args=(child_end, self.settings, self.model), name="docpipe-model", daemon=True
        )
        process.start()
        child_end.close()  # the parent's copy: EOF on parent_end once the child is gone
        self._process, self._connection = process, parent_end
        ready = self._receive()
        self.name, self.runtime = ready["name"], ready["runtime"]

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._process = self._connection = None

    def close(self) -> None:
        """End the child (it also ends with this process)."""
        self._stop()

    def _receive(self) -> Any:
        assert self._connection is not None and self._process is not None
        while True:
            try:
                if self._connection.poll(POLL_SECONDS):
                    status, value = self._connection.recv()
                    break
            except (EOFError, OSError):
                pass  # the child closed the pipe by dying; its exit code says how
            else:
                if self._process.is_alive():
                    continue
            self._process.join()
            reason = death_reason(self._process.exitcode)
            self._stop()
            raise ModelCrashedError(reason)
        if status == "error":
            raise value
        return value

    def _call(self, method: str, *args: Any) -> Any:
        if self._process is None:
            self.restarts += 1
            self._start()
        assert self._connection is not None
        try:
            self._connection.send((method, args))
        except OSError:
            pass  # the child died since the last call: _receive reports how
        return self._receive()

    def prepare(self, output_type: type[BaseModel]) -> None:
        self._call("prepare", output_type)

    def generate(self, messages: list[dict[str, str]], output_type: type[BaseModel], max_tokens: int) -> Generation:
        return self._call("generate", messages, output_type, max_tokens)


def start_backend(settings: DocpipeSettings, model: ModelFile) -> LLMBackend:
    """The configured backend with ``model`` loaded in a supervised child process; a model
    an endpoint serves runs no native code here, so its client stays in this process."""
    if model.endpoint is not None:
        return load_backend(settings, model)
    return SupervisedBackend(settings, model)
