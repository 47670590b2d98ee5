# Source this file (bash): installs what docpipe needs on first use and starts its services.
#   - Debian packages tesseract-ocr and postgresql (when missing; needs root)
#   - .venv/ with the exact versions of requirements.lock (re-synced when the lock changes)
#   - llama.cpp compiled for this CPU's instruction sets (rebuilt when .venv meets a CPU
#     that lacks what it was built with)
#   - a project-local Postgres cluster in .data/pg (DOCPIPE_PG_DIR) on 127.0.0.1:54329
#     (DOCPIPE_PG_PORT), unless DOCPIPE_DATABASE_URL is set
#   - a local Prefect server on 127.0.0.1:4200 (DOCPIPE_PREFECT_HOST/_PORT), its database in that
#     Postgres, unless PREFECT_API_URL is set or DOCPIPE_PREFECT_SERVER=off
# Afterwards DOCPIPE_DATABASE_URL points at a running database, PREFECT_API_URL at a running
# Prefect server, and .venv/bin is on PATH.

set -euo pipefail
DOCPIPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOCPIPE_ROOT

say() { printf '\033[1mdocpipe setup:\033[0m %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  command -v tesseract >/dev/null || missing+=(tesseract-ocr)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  python3.11 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3.11-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || { say "run as root (or install ${missing[*]} yourself)"; return 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# llama.cpp compiled for the instruction sets of the CPU it runs on (docpipe/cpu.py says why):
# built once per option set into a wheel folder of its own (pip's wheel cache ignores
# CMAKE_ARGS and would hand an AVX-512 build to an AVX2-only CPU), installed, and recorded
# in .venv/docpipe-model-runtime.json. Run on every bootstrap: a .venv that finds itself on
# a CPU lacking what its build executes is rebuilt here, before anything loads the library.
# DOCPIPE_RUNTIME_CPU_FLAGS builds for other CPUs' flags (one .venv for a mixed fleet).
install_model_runtime() {
  local venv="$DOCPIPE_ROOT/.venv" version args key wheels wheel
  _docpipe_cpu() { (cd "$DOCPIPE_ROOT" && "$DOCPIPE_ROOT/.venv/bin/python" -m docpipe.cpu "$@"); }
  if _docpipe_cpu check 2>/dev/null &&
    "$venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("llama_cpp") is None)'; then
    return 0
  fi
  args="$(_docpipe_cpu cmake-args)" || return 1  # it said why (a CPU without AVX2)
  version="$(sed -n 's/^llama_cpp_python==//p' "$DOCPIPE_ROOT/requirements.lock")"
  key="$(_docpipe_cpu key)"
  wheels="${DOCPIPE_WHEEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/docpipe/wheels}/llama-cpp-python-$version-$key"
  wheel="$(ls "$wheels"/llama_cpp_python-"$version"-*.whl 2>/dev/null | head -1 || true)"
  if [ -z "$wheel" ]; then
    say "compiling llama.cpp ($(_docpipe_cpu show | head -1)): several minutes"
    mkdir -p "$wheels"
    CMAKE_ARGS="$args" "$venv/bin/pip" wheel -q --no-deps --no-cache-dir --no-binary llama-cpp-python -w "$wheels" \
      "llama_cpp_python==$version" >"$venv/model-runtime-build.log" 2>&1 ||
      { tail -40 "$venv/model-runtime-build.log" >&2; return 1; }
    wheel="$(ls "$wheels"/llama_cpp_python-"$version"-*.whl | head -1)"
    _docpipe_cpu record >"$wheels/build.json"
  fi
  "$venv/bin/pip" install -q --no-deps --force-reinstall "$wheel" >/dev/null
  cp "$wheels/build.json" "$venv/docpipe-model-runtime.json"
}

# Dask workers started from the venv read their configuration there (scripts/dask.yaml).
install_dask_config() {
  mkdir -p "$DOCPIPE_ROOT/.venv/etc/dask"
  cp "$DOCPIPE_ROOT/scripts/dask.yaml" "$DOCPIPE_ROOT/.venv/etc/dask/docpipe.yaml"
}

sync_venv() {
  local venv="$DOCPIPE_ROOT/.venv" lock="$DOCPIPE_ROOT/requirements.lock"
  local want; want="$(cat "$lock" "$DOCPIPE_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.docpipe-lock" 2>/dev/null)" = "$want" ]; then
    install_model_runtime
    install_dask_config
    return 0
  fi
  say "installing Python dependencies into .venv (first run: several minutes, llama.cpp compiles)"
  [ -x "$venv/bin/python" ] || python3.11 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip==26.3 >/dev/null
  install_model_runtime
  "$venv/bin/pip" install -q -r "$lock"
  "$venv/bin/pip" install -q --no-deps --no-build-isolation -e "$DOCPIPE_ROOT" >"$venv/docpipe-install.log" 2>&1 ||
    { cat "$venv/docpipe-install.log" >&2; return 1; }
  install_dask_config
  echo "$want" > "$venv/.docpipe-lock"
}

start_local_postgres() {
  local port="${DOCPIPE_PG_PORT:-54329}" bin pgdata owner=()
  bin="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
  pgdata="${DOCPIPE_PG_DIR:-$DOCPIPE_ROOT/.data/pg}"
  mkdir -p "$(dirname "$pgdata")"
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses root: the cluster belongs to the postgres user, who must reach it.
    owner=(runuser -u postgres --)
    if ! runuser -u postgres -- test -x "$(dirname "$pgdata")"; then
      pgdata="/var/tmp/docpipe-pg-$(echo "$pgdata" | sha256sum | cut -c1-12)"
    fi
    mkdir -p "$pgdata" && chown postgres: "$pgdata" && chmod 700 "$pgdata"
  fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    say "creating a local Postgres cluster in $pgdata"
    "${owner[@]}" "$bin/initdb" -D "$pgdata" -U docpipe --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! "${owner[@]}" "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    "${owner[@]}" "$bin/pg_ctl" -D "$pgdata" -w -l "$pgdata/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdata" start >/dev/null
  fi
  "${owner[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U docpipe -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'docpipe'" | grep -q 1 ||
    "${owner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U docpipe docpipe
  export DOCPIPE_DATABASE_URL="postgresql+psycopg://docpipe@127.0.0.1:$port/docpipe"
  # For whoever must stop it: "${DOCPIPE_PG_CTL[@]}" stop
  DOCPIPE_PG_CTL=("${owner[@]}" "$bin/pg_ctl" -D "$pgdata" -m fast)
}

# Runs go to a Prefect server that stays (the UI's history), its database beside docpipe's in
# the same Postgres: `docpipe server start` starts it once and waits for it (generously);
# `docpipe server stop` stops it. A PREFECT_API_URL the user set is theirs to keep.
start_prefect_server() {
  local exports
  exports="$("$DOCPIPE_ROOT/.venv/bin/docpipe" server start)" || return 1
  eval "$exports"
}

install_debian_packages
sync_venv
if [ -z "${DOCPIPE_DATABASE_URL:-}" ]; then
  start_local_postgres
fi
export PATH="$DOCPIPE_ROOT/.venv/bin:$PATH"
export PREFECT_SERVER_ANALYTICS_ENABLED="${PREFECT_SERVER_ANALYTICS_ENABLED:-false}"
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" TRANSFORMERS_OFFLINE="${TRANSFORMERS_OFFLINE:-1}"
if [ -z "${PREFECT_API_URL:-}" ] && [ "${DOCPIPE_PREFECT_SERVER:-on}" != "off" ]; then
  start_prefect_server
fi
set +euo pipefail
