"""``docpipe`` command line: process files, manage the database, train and evaluate models."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from cli import classifier as classifier_commands
from cli import extraction as extraction_commands
from docpipe.errors import CliError

# Offline and quiet by default: nothing leaves the building unless an operator says so.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _database_url() -> str:
    from docpipe.settings import get_settings

    return get_settings().database_url


def _require_migrated() -> None:
    from sqlalchemy.exc import OperationalError

    from db.migrate import current_revision, head_revision

    url = _database_url()
    try:
        current = current_revision(url)
    except OperationalError as exc:
        raise _connection_error(url, exc) from exc
    if current != head_revision():
        raise CliError(
            f"database schema is at {current or 'nothing'}, expected {head_revision()}: run `docpipe db upgrade`"
        )


def _connection_error(url: str, exc: Exception) -> CliError:
    reason = " ".join(str(getattr(exc, "orig", exc)).split())  # drivers wrap lines
    return CliError(f"cannot connect to the database ({_redacted(url)}): {reason}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def cmd_process(args: argparse.Namespace) -> int:
    from pathlib import Path

    missing = [path for path in args.paths if not Path(path).exists()]
    if missing:
        raise CliError(f"no such file or folder: {', '.join(missing)}")
    _require_migrated()
    from docpipe.errors import DatabaseUnavailableError, SchedulerUnavailableError
    from cli.prefect_server import ui_address
    from docpipe.settings import get_settings
    from flows.cluster import check_scheduler
    from flows.process import process_documents

    settings = get_settings()
    if settings.dask_address is not None:
        try:
            check_scheduler(settings)  # one line here, before a flow run that would fail on it
        except SchedulerUnavailableError as exc:
            raise CliError(str(exc)) from exc
    state = process_documents(
        paths=[str(Path(p).resolve()) for p in args.paths],
        move_files=args.move,
        show_progress=not args.no_progress,
        workers=args.workers,
        return_state=True,
    )
    try:
        summary = state.result()
    except (DatabaseUnavailableError, SchedulerUnavailableError) as exc:
        raise CliError(str(exc)) from exc
    summary["prefect_ui"] = ui_address(str(state.state_details.flow_run_id))
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        _print_summary(summary)
    return 0


def _print_summary(summary: dict) -> None:
    from docpipe.statuses import FileStatus

    for row in summary["files"]:
        reason = f"  {row['reason']}" if row["reason"] else ""
        ocr = " ocr" if row["ocr_used"] else ""
        pages = f"{row['pages']}p" if row["pages"] is not None else "-"
        print(f"{row['status']:<13}{pages:>5}{ocr:<4} {row['path']}{reason}")
    accounted = sum(summary[status] for status in FileStatus) == summary["total"]
    skipped = f", {summary['skipped']} skipped" if summary["skipped"] else ""
    print(
        f"\n{summary['total']} input file(s): {summary['processed']} processed, "
        f"{summary['needs_review']} need review, {summary['failed']} failed{skipped}"
        f" -> {'all accounted for' if accounted else 'NOT ALL ACCOUNTED FOR'}"
        f"; {summary['attachments']} attachment(s); {summary['seconds']} s (run {summary['run_id']})"
    )
    for warning in summary["warnings"]:
        print(f"warning: {warning}")
    if summary["prefect_ui"]:
        print(f"Prefect UI: {summary['prefect_ui']}")
    else:
        print("Prefect UI: none (this run went to a temporary in-process API; `docpipe server start` keeps runs)")


def cmd_health(args: argparse.Namespace) -> int:
    _require_migrated()
    from flows.health import model_health
    from docpipe.settings import get_settings

    print(model_health(get_settings(), classifier_version=args.model).markdown("docpipe model health"))
    return 0


def cmd_server_start(args: argparse.Namespace) -> int:
    from cli import prefect_server
    from docpipe.errors import ConfigurationError
    from docpipe.settings import get_settings

    try:
        server, started = prefect_server.start(get_settings(), args.host, args.port)
    except ConfigurationError as exc:
        raise CliError(str(exc)) from exc
    state = "started" if started else "already running"
    print(f"Prefect server {state}: UI at {server.url} (log {server.log_path})", file=sys.stderr)
    print(f"export PREFECT_API_URL={server.api_url}")  # for `eval "$(docpipe server start)"`
    return 0


def cmd_server_stop(_args: argparse.Namespace) -> int:
    from cli import prefect_server
    from docpipe.settings import get_settings

    stopped = prefect_server.stop(get_settings())
    print("Prefect server stopped" if stopped else "no Prefect server of this installation is running", file=sys.stderr)
    return 0


def cmd_server_status(_args: argparse.Namespace) -> int:
    from cli import prefect_server
    from docpipe.settings import get_settings

    server = prefect_server.server_of(get_settings())
    if prefect_server.is_healthy(server):
        print(f"running: UI at {server.url}")
        return 0
    print(f"not running at {server.url}")
    return 1


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError

    from db.migrate import current_revision, upgrade

    url = _database_url()
    try:
        upgrade(url, args.revision)
        print(f"database {_redacted(url)} at revision {current_revision(url)}")
    except OperationalError as exc:
        raise _connection_error(url, exc) from exc
    return 0


def cmd_db_current(_args: argparse.Namespace) -> int:
    from db.migrate import current_revision

    print(current_revision(_database_url()) or "empty (run `docpipe db upgrade`)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docpipe", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    process = commands.add_parser("process", help="process files and folders into the database")
    process.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    process.add_argument("--no-progress", action="store_true", help="no progress bar")
    process.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="documents processed at once on a local Dask cluster of N worker processes "
        "(default DOCPIPE_WORKERS, 1: in this process); DOCPIPE_DASK_ADDRESS uses a running cluster instead",
    )
    process.add_argument(
        "--move",
        action="store_true",
        help="inbox mode: skip files still being written, move the rest to processed/ or failed/ afterwards",
    )
    process.add_argument("--json", action="store_true", help="print the run summary as JSON")
    process.set_defaults(handler=cmd_process)

    health = commands.add_parser(
        "health",
        help="the models' live accuracy from reviews, calibration, drift over the last 7 days, audit samples waiting",
    )
    health.add_argument("--model", help="classifier version to check for drift (default: the one that classified last)")
    health.set_defaults(handler=cmd_health)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply migrations (default: to the latest)")
    db_upgrade.add_argument("--revision", default="head")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
    db.add_parser("current", help="print the schema revision").set_defaults(handler=cmd_db_current)

    server = commands.add_parser("server", help="the local Prefect server (API and UI)").add_subparsers(
        dest="server_command", required=True
    )
    server_start = server.add_parser(
        "start", help="start it in the background (once), its database in docpipe's Postgres; prints PREFECT_API_URL"
    )
    server_start.add_argument("--host", help="address to listen on (default DOCPIPE_PREFECT_HOST, 127.0.0.1)")
    server_start.add_argument("--port", type=int, help="port (default DOCPIPE_PREFECT_PORT, 4200)")
    server_start.set_defaults(handler=cmd_server_start)
    server.add_parser("stop", help="stop the server `start` began").set_defaults(handler=cmd_server_stop)
    server.add_parser("status", help="exit 0 when it answers").set_defaults(handler=cmd_server_status)

    evaluate = commands.add_parser("eval", help="evaluate a model on a labelled dataset").add_subparsers(
        dest="eval_command", required=True, metavar="TARGET"
    )
    # The models' commands, in help order; their modules import heavy libraries lazily.
    for register in (classifier_commands.register, extraction_commands.register):
        register(commands, evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from docpipe.settings import get_settings

    # Without a server, Prefect starts a temporary API in this process and gives it 20 s,
    # which a busy machine missed (set before Prefect reads its settings).
    os.environ.setdefault(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(int(get_settings().prefect_start_timeout_s))
    )
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        print(f"docpipe: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("docpipe: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
