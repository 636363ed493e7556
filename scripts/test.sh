#!/usr/bin/env bash
# The project's test command (README): installs what the tests need on a fresh machine,
# then runs the lints, every Rust test (unit, CLI, HTTP server, headless browser), the Python
# package's tests (python/) and the notebooks in the real evcxr kernel. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n==> %s\n' "$*"; }

# The sample stills are not committed: use the shared copy beside the checkout when present,
# else the cache data/cache/, where postBuild (below) fetches them. Never empty: every test
# that needs a still runs, and fails saying what is missing if it is not there.
if [[ -z "${COLOR_PALETTES_DATA:-}" ]]; then
  if [[ -d ../shared/data/stills ]]; then
    COLOR_PALETTES_DATA="$(cd ../shared/data/stills && pwd)"
  else
    mkdir -p data/cache
    COLOR_PALETTES_DATA="$PWD/data/cache"
  fi
fi
export COLOR_PALETTES_DATA
echo "sample stills: $COLOR_PALETTES_DATA"
# Nothing is skipped unless asked for by name (web, samples, accents, netns).
if [[ -n "${COLOR_PALETTES_SKIP:-}" ]]; then
  echo "*** COLOR_PALETTES_SKIP=$COLOR_PALETTES_SKIP: these tests will be SKIPPED ***" >&2
fi

step "system packages (headless Chromium for the web page test)"
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "chromium and chromedriver are installed"
elif [[ $(id -u) == 0 ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "chromium/chromedriver missing: run 'sudo apt-get install chromium chromium-driver'" >&2
  exit 1
fi

step "system packages (FFmpeg, for the film tests and notebook)"
if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then
  echo "ffmpeg and ffprobe are installed"
elif [[ $(id -u) == 0 ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
else
  echo "ffmpeg missing: run 'sudo apt-get install ffmpeg'" >&2
  exit 1
fi

step "system tools (unshare and ip, for the redirect test's own network namespace)"
if command -v unshare >/dev/null && command -v ip >/dev/null; then
  echo "unshare and ip are installed"
elif [[ $(id -u) == 0 ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq util-linux iproute2 >/dev/null
else
  echo "unshare/ip missing: run 'sudo apt-get install util-linux iproute2'" >&2
  exit 1
fi

step "notebook set-up (the Binder postBuild: Python packages, evcxr_jupyter, kernel, stills)"
POSTBUILD_SKIP_WARM=1 POSTBUILD_SKIP_PYTHON=1 bash postBuild

step "format and lints"
cargo fmt --all --check
cargo clippy --all-targets --features server -- -D warnings

step "the library without default features (no fetch: no URLs, no downloads)"
cargo check --no-default-features

step "Rust tests"
cargo test --features server

step "Python package (python/): pip install ./python, then its pytest suite against the CLI"
python_step_start=$SECONDS
(cd python && cargo fmt --check && cargo clippy --all-targets -- -D warnings)
pip=(python3 -m pip install --disable-pip-version-check --quiet)
# A distribution's own Python (PEP 668) refuses plain installs: install for this user.
pip_install() { "${pip[@]}" "$@" || "${pip[@]}" --user --break-system-packages "$@"; }
pip_install -r python/requirements-test.txt
# The pinned maturin from requirements-test.txt builds it (release, abi3 wheel).
pip_install --no-build-isolation --force-reinstall --no-deps ./python
# The binary the package's output is compared with, byte for byte.
cargo build --features cli
COLOR_PALETTES_BIN="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/color-palettes"
export COLOR_PALETTES_BIN
# From the root, so that `import color_palettes` is the installed package, not python/'s
# source folder (which has no native module).
python3 -m pytest -q python/tests
echo "Python package step: $((SECONDS - python_step_start)) s"

step "notebooks, executed in their kernels (evcxr for the Rust ones, ipykernel for the Python quickstart)"
python3 scripts/run_notebooks.py

step "a second kernel, opened while the first holds its build slot, starts warm"
python3 scripts/check_kernel_slots.py
