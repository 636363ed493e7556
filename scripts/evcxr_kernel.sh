#!/usr/bin/env bash
# Starts the evcxr Rust kernel for this project's notebooks; postBuild registers it as the
# `rust` kernelspec (Jupyter runs `scripts/evcxr_kernel.sh --control_file FILE`).
#
# Why not run evcxr_jupyter directly: evcxr builds each kernel's code in a throwaway
# directory, so every new kernel would compile color_palettes again (a minute on 2 cores)
# even with `:cache`, which only keeps crates.io dependencies. Here each kernel gets a build
# directory that outlives it (EVCXR_TMPDIR), under target/evcxr/, so a kernel started after
# postBuild's warm-up finds the crate compiled and its first cell takes seconds.
#
# Two kernels must never share one: they would overwrite each other's code and libraries.
# So there are a few slots, each held through an flock for the kernel's whole life; a
# kernel that finds every slot busy falls back to evcxr's own throwaway directory.
#
# The slot is seeded with the project's Cargo.lock, so the notebook builds against the same
# dependency versions as the tested crate, not whatever crates.io has newest. A slot that has
# never built starts from a copy of a warm one (postBuild's warm-up marks slot0 `.warm`), so a
# second notebook opened while the first one runs does not compile everything again: copying
# takes seconds, compiling a minute or more.
#
# Needs bash >= 4.1 (`exec {fd}>`) and flock (util-linux).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
base="${COLOR_PALETTES_EVCXR_DIR:-$root/target/evcxr}"
slots="${COLOR_PALETTES_EVCXR_SLOTS:-3}"

# A slot that has never built starts from a warm slot's build (scripts/seed_slot.py rewrites
# the paths cargo recorded, so the copy is fresh where it lands).
seed_from_warm_slot() {
  local dir=$1 marker
  [[ -d "$dir/target" ]] && return 0
  for marker in "$base"/slot*/.warm; do
    [[ -f "$marker" && "$(dirname "$marker")" != "$dir" ]] || continue
    python3 "$root/scripts/seed_slot.py" "$(dirname "$marker")" "$dir" && return 0
  done
}

if mkdir -p "$base" 2>/dev/null; then
  for ((i = 0; i < slots; i++)); do
    dir="$base/slot$i"
    exec {lock}>"$base/slot$i.lock"
    if flock -n "$lock"; then
      mkdir -p "$dir"
      # Re-seed when the project's lock file changed since (cargo keeps what still fits).
      if [[ -f "$root/Cargo.lock" && ! "$dir/Cargo.lock" -nt "$root/Cargo.lock" ]]; then
        cp "$root/Cargo.lock" "$dir/Cargo.lock"
      fi
      seed_from_warm_slot "$dir" || true
      export EVCXR_TMPDIR="$dir"
      # The lock descriptor stays open in the kernel: the slot is ours until it exits.
      exec evcxr_jupyter "$@"
    fi
    exec {lock}>&-
  done
fi
exec evcxr_jupyter "$@"
