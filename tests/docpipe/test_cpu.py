"""The model runtime's build options from CPU flags, the record, and the check before loading."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docpipe import cpu
from docpipe.cpu import RuntimeBuild, UnsupportedCPUError, build_for, check_runtime, parse_cpu_flags

# Flags as /proc/cpuinfo prints them (instruction-set part) on three kinds of server.
AMD_EPYC_ZEN3_AVX2 = frozenset(
    "fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand lahf_lm abm "
    "sse4a misalignsse 3dnowprefetch bmi1 avx2 smep bmi2 erms invpcid rdseed adx smap clflushopt "
    "clwb sha_ni xsaveopt xsavec xgetbv1 xsaves vaes vpclmulqdq rdpid".split()
)
INTEL_CASCADE_LAKE_AVX512 = frozenset(
    "fpu sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand bmi1 avx2 "
    "bmi2 erms invpcid avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl "
    "xsaveopt xsavec xgetbv1 xsaves avx512_vnni".split()
)
INTEL_SAPPHIRE_RAPIDS_AMX = INTEL_CASCADE_LAKE_AVX512 | frozenset(
    "avx_vnni avx512_bf16 avx512vbmi avx512_vbmi2 gfni vaes vpclmulqdq avx512_bitalg "
    "avx512_vpopcntdq avx512_fp16 amx_bf16 amx_tile amx_int8 serialize tsxldtrk".split()
)


def enabled(build: RuntimeBuild) -> set[str]:
    return {name for name, on in build.options.items() if on}


def test_avx2_only_amd_gets_no_avx512():
    build = build_for(AMD_EPYC_ZEN3_AVX2)
    assert enabled(build) == {"GGML_SSE42", "GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2"}
    assert not any(flag.startswith("avx512") for flag in build.requires)
    assert "-DGGML_AVX512=OFF" in build.cmake_args and "-DGGML_NATIVE=OFF" in build.cmake_args


def test_avx512_intel_gets_avx512_and_vnni_but_not_what_it_lacks():
    build = build_for(INTEL_CASCADE_LAKE_AVX512)
    assert {"GGML_AVX512", "GGML_AVX512_VNNI"} <= enabled(build)
    assert not {"GGML_AVX512_VBMI", "GGML_AVX512_BF16", "GGML_AVX_VNNI"} & enabled(build)
    assert {"avx512f", "avx512bw", "avx512_vnni"} <= set(build.requires)


def test_amx_intel_gets_every_avx512_extension_and_never_amx():
    build = build_for(INTEL_SAPPHIRE_RAPIDS_AMX)
    assert {"GGML_AVX512", "GGML_AVX512_VBMI", "GGML_AVX512_VNNI", "GGML_AVX512_BF16", "GGML_AVX_VNNI"} <= enabled(build)
    for off in ("GGML_NATIVE", "GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16"):
        assert build.options[off] is False
    assert not any(flag.startswith("amx") for flag in build.requires)


def test_an_avx512_build_is_refused_on_an_avx2_cpu_before_loading(tmp_path):
    (tmp_path / cpu.RECORD_NAME).write_text(build_for(INTEL_SAPPHIRE_RAPIDS_AMX).to_json())
    with pytest.raises(UnsupportedCPUError) as refused:
        check_runtime(AMD_EPYC_ZEN3_AVX2, prefix=tmp_path)
    message = str(refused.value)
    assert "compiled for" in message and "AVX512" in message and "avx512f" in message
    assert "scripts/bootstrap.sh" in message and "\n" not in message
    # The same build suits the CPU it was made for, and an AVX2 build suits both.
    assert check_runtime(INTEL_SAPPHIRE_RAPIDS_AMX, prefix=tmp_path) is not None
    (tmp_path / cpu.RECORD_NAME).write_text(build_for(AMD_EPYC_ZEN3_AVX2).to_json())
    assert check_runtime(INTEL_SAPPHIRE_RAPIDS_AMX, prefix=tmp_path) == build_for(AMD_EPYC_ZEN3_AVX2)


def test_no_record_means_nothing_to_check(tmp_path):
    assert check_runtime(AMD_EPYC_ZEN3_AVX2, prefix=tmp_path) is None


def test_a_cpu_without_avx2_is_told_what_it_lacks():
    with pytest.raises(UnsupportedCPUError, match="lacks avx2, fma, f16c"):
        build_for(frozenset("fpu sse sse2 ssse3 sse4_1 sse4_2 avx".split()))


def test_flags_are_read_from_cpuinfo_text():
    text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 fma\nbugs\t\t: sysret_ss_attrs\n\nprocessor\t: 1\nflags\t\t: other\n"
    assert parse_cpu_flags(text) == {"fpu", "avx2", "fma"}
    assert parse_cpu_flags("processor : 0\nFeatures : neon\n") == frozenset()


def test_a_fleet_target_replaces_this_cpus_flags_for_the_build():
    assert cpu.target_flags({"DOCPIPE_RUNTIME_CPU_FLAGS": " ".join(AMD_EPYC_ZEN3_AVX2)}) == AMD_EPYC_ZEN3_AVX2
    assert cpu.target_flags({"DOCPIPE_RUNTIME_CPU_FLAGS": "  "}) == cpu.cpu_flags()


def test_record_round_trip_and_distinct_keys():
    build = build_for(INTEL_CASCADE_LAKE_AVX512)
    assert RuntimeBuild.from_json(build.to_json()) == build
    assert json.loads(build.to_json())["options"]["GGML_AMX_INT8"] is False
    assert len({build_for(flags).key for flags in (AMD_EPYC_ZEN3_AVX2, INTEL_CASCADE_LAKE_AVX512, INTEL_SAPPHIRE_RAPIDS_AMX)}) == 3


def test_command_line_prints_options_for_given_flags():
    run = subprocess.run(
        [sys.executable, "-m", "docpipe.cpu", "cmake-args", "--flags", " ".join(sorted(AMD_EPYC_ZEN3_AVX2))],
        capture_output=True, text=True, check=True, cwd=Path(cpu.__file__).parent.parent,
    )
    assert run.stdout.strip() == build_for(AMD_EPYC_ZEN3_AVX2).cmake_args
    refused = subprocess.run(
        [sys.executable, "-m", "docpipe.cpu", "cmake-args", "--flags", "sse2 avx"],
        capture_output=True, text=True, cwd=Path(cpu.__file__).parent.parent,
    )
    assert refused.returncode == 1 and refused.stderr.startswith("docpipe: this CPU")


def _installed_libraries() -> list[Path]:
    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None
    return sorted((Path(spec.origin).parent / "lib").glob("lib*.so"))


def test_the_installed_runtime_holds_the_instructions_its_record_says_and_this_cpu_has():
    """The build in this environment: recorded by the install, suited to this CPU; its CPU
    kernels contain AVX-512 (zmm registers) exactly when the record says it was built with it,
    no other library of it does, and none holds an AMX instruction."""
    build = cpu.installed_build()
    assert build is not None, "the install records the model runtime's build (scripts/bootstrap.sh)"
    assert check_runtime() == build
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    libraries = _installed_libraries()
    assert "libggml-cpu.so" in {library.name for library in libraries}
    for library in libraries:
        listing = subprocess.run([objdump, "-d", "--no-show-raw-insn", str(library)],
                                 capture_output=True, text=True, check=True).stdout
        uses_zmm = re.search(r"%zmm\d", listing) is not None
        assert uses_zmm == (library.name == "libggml-cpu.so" and build.options["GGML_AVX512"]), library.name
        assert re.search(r"\b(ldtilecfg|tileloadd|tdpb[su][su]d|tdpbf16ps)\b", listing) is None, library.name
