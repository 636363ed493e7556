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
# dependency versions as the tested crate, not whatever crates.io has newest.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
base="${COLOR_PALETTES_EVCXR_DIR:-$root/target/evcxr}"
slots="${COLOR_PALETTES_EVCXR_SLOTS:-3}"

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
      export EVCXR_TMPDIR="$dir"
      # The lock descriptor stays open in the kernel: the slot is ours until it exits.
      exec evcxr_jupyter "$@"
    fi
    exec {lock}>&-
  done
fi
exec evcxr_jupyter "$@"
