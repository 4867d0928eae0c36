#!/usr/bin/env bash
# Install the peer static site generators the benchmark compares against, into a scratch
# folder, never into the project's environment:
#
#   bash bench/peers.sh [SCRATCH]        # default: $EXPLAINER_BENCH_DIR or /tmp/explainer-bench
#
#   Hugo      Debian package `hugo` (apt-get; system-wide, as Debian packages are)
#   Eleventy  npm `@11ty/eleventy`, in SCRATCH/node
#   Pelican   PyPI `pelican[markdown]`, in the venv SCRATCH/venv
#   MkDocs    PyPI `mkdocs`, in the same venv
#   pyinstrument (for bench/PROFILE.md), in SCRATCH/profile-venv, a venv that also sees the
#             project's own packages (--system-site-packages) so it profiles the same versions
#
# Re-running is cheap: each step is skipped when its tool is already there.
set -euo pipefail
SCRATCH="${1:-${EXPLAINER_BENCH_DIR:-/tmp/explainer-bench}}"
mkdir -p "$SCRATCH"
export DEBIAN_FRONTEND=noninteractive

if ! command -v hugo >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq hugo >/dev/null
fi

if [ ! -x "$SCRATCH/node/node_modules/.bin/eleventy" ]; then
  mkdir -p "$SCRATCH/node"
  (cd "$SCRATCH/node" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --silent @11ty/eleventy@3)
fi

if [ ! -x "$SCRATCH/venv/bin/pelican" ] || [ ! -x "$SCRATCH/venv/bin/mkdocs" ]; then
  python3 -m venv "$SCRATCH/venv"
  "$SCRATCH/venv/bin/python" -m pip install -q --upgrade pip
  "$SCRATCH/venv/bin/python" -m pip install -q 'pelican[markdown]' mkdocs
fi

if [ ! -x "$SCRATCH/profile-venv/bin/pyinstrument" ]; then
  python3 -m venv --system-site-packages "$SCRATCH/profile-venv"
  "$SCRATCH/profile-venv/bin/python" -m pip install -q pyinstrument
fi

echo "peers in $SCRATCH:"
echo "  hugo     $(hugo version | head -1)"
echo "  eleventy $("$SCRATCH/node/node_modules/.bin/eleventy" --version)"
echo "  pelican  $("$SCRATCH/venv/bin/pelican" --version)"
echo "  mkdocs   $("$SCRATCH/venv/bin/mkdocs" --version)"
