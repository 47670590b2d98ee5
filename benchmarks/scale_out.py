"""Documents per minute and memory per worker for 1, 2, ... local Dask workers on one folder.

For each ``--workers`` count, runs ``docpipe process FOLDER --workers N`` as a user would, on a
scratch database of its own (so nothing is reused from an earlier run; dropped afterwards),
with the stages of ``DOCPIPE_STAGES`` (classify and extract by default), and samples the
resident memory of every process of the batch. Prints, per count: wall time, the run's own
seconds (from its start to its last document), docs/min over the input files (attachments
ride with their mail), the peak RSS of each worker that processed documents (from
``run_documents.worker``) and of the flow's process, and what N such machines would do in a day
at that rate.

Run: ``python -m benchmarks.scale_out FOLDER [FOLDER ...] [--workers 1 2] [--machines 1 4 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
from sqlalchemy import select

from benchmarks.scratch import Sampler, scratch_database
from db.migrate import upgrade
from db.models import RunDocument
from db.session import session_scope
from docpipe.settings import get_settings


class TreeMemory(Sampler):
    """Peak RSS of each process of a process tree with its own children (a worker with its
    model process and Tesseract), and of the whole tree, sampled every ``interval_s``."""

    def __init__(self, root: int, interval_s: float = 0.25) -> None:
        super().__init__(interval_s)
        self.root = root
        self.own: dict[int, int] = {}
        """pid -> peak RSS of the process alone"""
        self.with_children: dict[int, int] = {}
        """pid -> peak RSS of the process and its descendants, summed at the same moment"""
        self.total = 0

    def sample(self) -> None:
        try:
            self._sample(psutil.Process(self.root))
        except psutil.Error:
            pass

    def _sample(self, root: psutil.Process) -> None:
        rss: dict[int, int] = {}
        parents: dict[int, int] = {}
        for process in [root, *root.children(recursive=True)]:
            try:
                rss[process.pid] = process.memory_info().rss
                parents[process.pid] = process.ppid()
            except psutil.Error:
                continue
        tree = dict(rss)
        for pid, size in rss.items():
            ancestor = parents[pid]
            while ancestor in rss:  # up to the root, whose parent is not in the tree
                tree[ancestor] += size
                ancestor = parents[ancestor]
        for pid, size in rss.items():
            self.own[pid] = max(size, self.own.get(pid, 0))
            self.with_children[pid] = max(tree[pid], self.with_children.get(pid, 0))
        self.total = max(self.total, sum(rss.values()))


def measure(folders: list[str], workers: int) -> dict:
    settings = get_settings()
    with scratch_database(settings.database_url) as url:
        upgrade(url)
        env = {**os.environ, "DOCPIPE_DATABASE_URL": url}
        command = [shutil.which("docpipe") or str(Path(sys.executable).parent / "docpipe"), "process", *folders,
                   "--workers", str(workers), "--json", "--no-progress"]
        started = time.perf_counter()
        batch = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        with TreeMemory(batch.pid) as memory:
            out, _ = batch.communicate()
        wall = time.perf_counter() - started
        if batch.returncode != 0:
            raise SystemExit(f"docpipe process --workers {workers} exited {batch.returncode}")
        summary = json.loads(out)
        with session_scope(url) as session:
            pids = {int(worker.rsplit(":", 1)[1]) for worker in session.scalars(select(RunDocument.worker)) if worker}
    mib = 1024 * 1024
    return {
        "workers": workers,
        "files": summary["total"],
        "statuses": {status: summary[status] for status in ("processed", "needs_review", "failed", "skipped")},
        "wall_s": round(wall, 1),
        "run_s": summary["seconds"],
        "docs_per_min": round(summary["total"] / summary["seconds"] * 60, 2),
        # With one worker, the flow's own process is the worker (its tree then includes the
        # temporary Prefect API when no server is configured).
        "worker_peak_rss_mib": sorted(round(memory.with_children.get(pid, 0) / mib) for pid in pids),
        "flow_process_peak_rss_mib": round(memory.own.get(batch.pid, 0) / mib),
        "all_processes_peak_mib": round(memory.total / mib),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", help="files or folders to process")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="local worker counts to measure")
    parser.add_argument("--machines", type=int, nargs="+", default=[1, 4, 10], help="machine counts to project a day for")
    args = parser.parse_args()
    print(f"stages {get_settings().stages}; {os.cpu_count()} cores")
    results = [measure(args.folders, workers) for workers in args.workers]
    for result in results:
        print(json.dumps(result))
    base = results[0]["docs_per_min"]
    print(
        "\n| workers | files | wall s | run s | docs/min | speed-up | peak RSS per worker with its model "
        "process and Tesseract (MiB) | flow process alone (MiB) | all processes (MiB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for result in results:
        print(
            f"| {result['workers']} | {result['files']} | {result['wall_s']} | {result['run_s']} | "
            f"{result['docs_per_min']} | {result['docs_per_min'] / base:.2f}x | "
            f"{', '.join(map(str, result['worker_peak_rss_mib']))} | {result['flow_process_peak_rss_mib']} | "
            f"{result['all_processes_peak_mib']} |"
        )
    best = max(results, key=lambda result: result["docs_per_min"])
    day = best["docs_per_min"] * 60 * 24
    print(f"\nat {best['workers']} worker(s) per machine ({best['docs_per_min']} docs/min, around the clock):")
    for machines in args.machines:
        print(f"  {machines} machine(s): {day * machines:,.0f} docs/day ({day * machines / 24 * 11:,.0f} in an 11-hour office day)")


if __name__ == "__main__":
    main()
