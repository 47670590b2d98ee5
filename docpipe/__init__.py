"""docpipe's core, below every other package: settings, errors, statuses, the stage
contract, the model-health arithmetic and the CPU build options. It imports nothing of
the project (the layers contract in pyproject.toml)."""

__version__ = "0.1.0"
