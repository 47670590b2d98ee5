"""The instruction sets the model runtime (llama.cpp) is compiled for, chosen from the CPU.

llama-cpp-python compiles llama.cpp when it is installed, and the CPU kernels it compiles
run only on CPUs that have every instruction set they were built with: a build with
AVX-512 dies with SIGILL on an AVX2-only AMD EPYC, and a native (``-march=native``) build
on an Intel CPU with AMX takes the AMX path, which crashes. So the install derives the
build options from this CPU's flags (never AMX), records what the build requires beside
the virtual environment, and the runtime checks that record against the CPU it finds
itself on *before* loading the library; ``scripts/bootstrap.sh`` rebuilds when they differ.

Stdlib only: ``scripts/bootstrap.sh`` runs ``python -m docpipe.cpu`` before docpipe's
dependencies are installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from docpipe.errors import ConfigurationError

CPUINFO = Path("/proc/cpuinfo")

REQUIRED_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c")
"""Linux CPU flags without which no supported build runs (x86-64 with AVX2, FMA, F16C)."""

BUILD_OPTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (llama.cpp CMake option, the CPU flags its kernels execute). Each is ON when the CPU has
    # all its flags; the AVX-512 extensions also need GGML_AVX512's five (ggml adds -mavx512f
    # -mavx512cd -mavx512vl -mavx512dq -mavx512bw for it).
    ("GGML_SSE42", ("sse4_2",)),
    ("GGML_AVX", ("avx",)),
    ("GGML_AVX2", ("avx2",)),
    ("GGML_FMA", ("fma",)),
    ("GGML_F16C", ("f16c",)),
    ("GGML_BMI2", ("bmi2",)),
    ("GGML_AVX_VNNI", ("avx_vnni",)),
    ("GGML_AVX512", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw")),
    ("GGML_AVX512_VBMI", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512vbmi")),
    ("GGML_AVX512_VNNI", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_vnni")),
    ("GGML_AVX512_BF16", ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_bf16")),
)

ALWAYS_OFF = ("GGML_NATIVE", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")
"""Never on: a native build picks up AMX, and llama.cpp's AMX path crashes on the Intel
CPUs that have it; CPU-matched options replace -march=native."""

TARGET_VARIABLE = "DOCPIPE_RUNTIME_CPU_FLAGS"
"""CPU flags to build for instead of this machine's: one environment for a fleet of servers
(give the flags of the oldest). Read from the environment here, not through the settings:
the install runs this module before pydantic is installed (documented in docpipe.settings)."""

RECORD_NAME = "docpipe-model-runtime.json"
"""File beside the virtual environment's interpreter (``sys.prefix``) recording the build."""


class UnsupportedCPUError(ConfigurationError):
    """This CPU lacks an instruction set every build of the model runtime needs."""


@dataclass(frozen=True)
class RuntimeBuild:
    """What llama.cpp was (or is to be) compiled with, and what that requires of a CPU."""

    options: dict[str, bool]
    requires: tuple[str, ...]
    """Every CPU flag the enabled options execute, sorted."""

    @property
    def cmake_args(self) -> str:
        return " ".join(f"-D{name}={'ON' if on else 'OFF'}" for name, on in self.options.items())

    @property
    def key(self) -> str:
        """Short name of this option set (a wheel built with it can be reused by the same key)."""
        return hashlib.sha256(self.cmake_args.encode()).hexdigest()[:12]

    @property
    def instruction_sets(self) -> str:
        """The enabled options as a person reads them: ``AVX2 FMA F16C AVX512 ...``."""
        return " ".join(name.removeprefix("GGML_") for name, on in self.options.items() if on) or "none"

    def missing_on(self, flags: frozenset[str]) -> list[str]:
        """The flags this build executes that a CPU with ``flags`` lacks."""
        return [flag for flag in self.requires if flag not in flags]

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "requires": list(self.requires)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> RuntimeBuild:
        data = json.loads(text)
        return cls(options=dict(data["options"]), requires=tuple(data["requires"]))


def parse_cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The ``flags`` of the first processor in ``/proc/cpuinfo`` text (empty if none: not x86)."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def cpu_flags() -> frozenset[str]:
    """This machine's CPU flags, as the kernel reports them (features it disabled are absent)."""
    try:
        return parse_cpu_flags(CPUINFO.read_text(errors="replace"))
    except OSError:
        return frozenset()


def build_for(flags: frozenset[str]) -> RuntimeBuild:
    """The build options for a CPU with ``flags``; ``UnsupportedCPUError`` below AVX2."""
    missing = [flag for flag in REQUIRED_FLAGS if flag not in flags]
    if missing:
        machine = platform.machine() or "this machine"
        raise UnsupportedCPUError(
            f"this CPU ({machine}) lacks {', '.join(missing)}: the extraction model's runtime needs an "
            "x86-64 CPU with AVX2, FMA and F16C (any Intel since 2013 or AMD since 2015)"
        )
    options = {name: all(flag in flags for flag in needs) for name, needs in BUILD_OPTIONS}
    options.update(dict.fromkeys(ALWAYS_OFF, False))
    requires = sorted({flag for name, needs in BUILD_OPTIONS if options[name] for flag in needs})
    return RuntimeBuild(options=options, requires=tuple(requires))


def record_path(prefix: Path | None = None) -> Path:
    return (prefix or Path(sys.prefix)) / RECORD_NAME


def installed_build(prefix: Path | None = None) -> RuntimeBuild | None:
    """The recorded build of this environment's llama.cpp; None when nothing was recorded
    (llama-cpp-python installed by other means)."""
    try:
        return RuntimeBuild.from_json(record_path(prefix).read_text())
    except (OSError, ValueError, KeyError):
        return None


def check_runtime(flags: frozenset[str] | None = None, prefix: Path | None = None) -> RuntimeBuild | None:
    """Raise ``UnsupportedCPUError`` when the installed build executes instructions this CPU
    lacks (loading it would die with SIGILL); the build otherwise (None if unrecorded)."""
    flags = cpu_flags() if flags is None else flags
    build = installed_build(prefix)
    if build is None:
        return None
    missing = build.missing_on(flags)
    if missing:
        raise UnsupportedCPUError(
            f"the extraction model's runtime in {record_path(prefix).parent} was compiled for "
            f"{build.instruction_sets}, and this CPU lacks {', '.join(missing)}: run scripts/bootstrap.sh "
            "to rebuild it for this CPU"
        )
    return build


def target_flags(environ: dict[str, str] | None = None) -> frozenset[str]:
    """The flags to build for: ``DOCPIPE_RUNTIME_CPU_FLAGS`` when set, else this CPU's."""
    environ = os.environ if environ is None else environ
    target = environ.get(TARGET_VARIABLE, "").strip()
    return frozenset(target.split()) if target else cpu_flags()


def torch_runtime() -> str:
    """What torch runs on: it picks its CPU kernels at run time, so there is no build to match."""
    import torch  # only where a stage already uses torch; this module stays stdlib-only to import

    return f"torch {torch.__version__} on the CPU, kernels {torch.backends.cpu.get_cpu_capability()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docpipe.cpu", description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        choices=("cmake-args", "key", "record", "check", "show"),
        help="cmake-args: options for this CPU; key: their short name; record: the JSON record of "
        "a build for this CPU; check: exit 1 when the installed build does not suit this CPU; "
        "show: this CPU's build and the installed one",
    )
    parser.add_argument(
        "--flags", help=f"CPU flags to build for (space-separated; default ${TARGET_VARIABLE}, else this CPU's)"
    )
    args = parser.parse_args(argv)
    flags = frozenset(args.flags.split()) if args.flags is not None else target_flags()
    try:
        if args.command == "check":
            # Runs on this CPU whatever the target; and is the target's build, when one is set.
            installed = check_runtime(cpu_flags())
            if installed is None:
                print("no recorded build of the model runtime in this environment", file=sys.stderr)
                return 1
            if installed != build_for(flags):
                print(f"the installed model runtime is not the build for {TARGET_VARIABLE}", file=sys.stderr)
                return 1
            return 0
        build = build_for(flags)
    except UnsupportedCPUError as exc:
        print(f"docpipe: {exc}", file=sys.stderr)
        return 1
    if args.command == "cmake-args":
        print(build.cmake_args)
    elif args.command == "key":
        print(build.key)
    elif args.command == "record":
        print(build.to_json())
    else:
        installed = installed_build()
        target = TARGET_VARIABLE if os.environ.get(TARGET_VARIABLE, "").strip() and args.flags is None else "this CPU"
        print(f"build for {target}: {build.instruction_sets}")
        print(f"installed: {installed.instruction_sets if installed else 'not recorded'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
