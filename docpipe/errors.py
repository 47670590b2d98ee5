"""The exceptions docpipe raises.

Three families matter to the pipeline: ``InputError`` means the file itself is bad and
retrying cannot help (the document is recorded as failed with the message as reason);
``ModelCrashedError`` means a model's process died on the document (it fails, the batch
goes on); ``TransientError`` means the environment hiccupped and the stage may be retried.
"""


class DocpipeError(Exception):
    """Base of every error docpipe raises on purpose."""


class ConfigurationError(DocpipeError):
    """The installation or settings are wrong (missing binary, bad URL, ...)."""


class InputError(DocpipeError):
    """The input file cannot be processed; the message is shown to back-office staff."""


class UnsupportedTypeError(InputError):
    """The content is not a type docpipe reads."""


class CorruptFileError(InputError):
    """The content claims a type but cannot be parsed as it (truncated, damaged)."""


class EncryptedFileError(InputError):
    """The document is password-protected."""


class FileTooLargeError(InputError):
    """The file, an image or the page count exceeds the configured limits."""

    def __init__(self, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.size = size
        """The file's size in bytes, when that is what is too large (it is then not read)."""


class ModelCrashedError(DocpipeError):
    """The model's process died on this document (a native crash, an OOM kill): the document
    fails with what earlier stages found kept, and the next document gets a fresh process."""


class ModelAnswerError(ModelCrashedError):
    """A model served elsewhere answered outside its schema (a server that ignores the
    response format): handled as a crash, the document fails with earlier results kept."""


class DatabaseUnavailableError(DocpipeError):
    """The database did not answer within ``DOCPIPE_DATABASE_WAIT_S``: the batch ends."""


class SchedulerUnavailableError(DocpipeError):
    """The Dask scheduler of ``DOCPIPE_DASK_ADDRESS`` did not answer: the batch does not start."""


class CliError(DocpipeError):
    """A problem the user of the command line can fix; printed as one line, exit status 2."""


class TransientError(DocpipeError):
    """A failure that may pass on retry (database connection, OCR engine crash)."""


def one_line_reason(error: BaseException, limit: int = 300) -> str:
    """A failure as a person reads it: the driver's own message, not SQLAlchemy's (which
    appends the SQL and its parameters, document text included), its first line, capped."""
    cause = getattr(error, "orig", None) or error
    first = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
    line = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return line if len(line) <= limit else line[: limit - 1] + "…"
