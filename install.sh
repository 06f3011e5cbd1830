#!/usr/bin/env bash
# Set up the framework in ./.venv and run the built-in default job. Safe to re-run: steps that are
# already done are skipped, and existing settings files are never touched.
#
#   bash install.sh                    # CPU torch 2.13.0 (default)
#   TORCH_SPEC=torch==2.14.1 bash install.sh   # another torch release, e.g. the registry's CUDA build
#   SKIP_MAIN_JOB=1 bash install.sh    # set up only (the main job tracks the built-in benchmark)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"
VENV="$REPO/.venv"
PY="$VENV/bin/python"
DEFAULT_TORCH_SPEC="torch==2.13.0"
TORCH_SPEC="${TORCH_SPEC:-$DEFAULT_TORCH_SPEC}"
CONSTRAINTS="$REPO/constraints.txt"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\ninstall.sh: %s\n' "$*" >&2; exit 1; }

step "Python virtual environment in $VENV"
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
else
    echo "exists"
fi
PIP=("$PY" -m pip --disable-pip-version-check)
"$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || echo "warning: constraints.txt was resolved for Python 3.11; $("$PY" -V) may not find every pin."

# Every pip call below, and every build environment pip creates, is held to the pins. The default
# TORCH_SPEC is the pin itself; another TORCH_SPEC replaces the torch line, and whatever that torch
# brings in that is not pinned (e.g. CUDA libraries) is pinned as installed, in the venv's copy.
EFFECTIVE="$VENV/constraints.txt"
if [ "$TORCH_SPEC" = "$DEFAULT_TORCH_SPEC" ]; then
    cp "$CONSTRAINTS" "$EFFECTIVE"
else
    grep -v -i '^torch==' "$CONSTRAINTS" > "$EFFECTIVE"
fi
export PIP_CONSTRAINT="$EFFECTIVE"
PINS=("$PY" "$REPO/tools/pins.py")

step "Build tools (setuptools, wheel, ninja at their pins)"
if "${PINS[@]}" build-tools "$EFFECTIVE" 2>/dev/null; then
    echo "present"
else
    "${PIP[@]}" install -q setuptools wheel ninja
fi

step "PyTorch ($TORCH_SPEC)"
if [ "$TORCH_SPEC" = "$DEFAULT_TORCH_SPEC" ] && "${PINS[@]}" check "$EFFECTIVE" torch 2>/dev/null; then
    echo "present"
else
    "${PIP[@]}" install -q "$TORCH_SPEC"
fi
if [ "$TORCH_SPEC" != "$DEFAULT_TORCH_SPEC" ]; then
    "${PINS[@]}" pin-installed "$EFFECTIVE" torch
fi

step "libjpeg-turbo for jpeg4py"
if ldconfig -p 2>/dev/null | grep 'libturbojpeg\.so' >/dev/null; then
    echo "present"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get install -y -q libturbojpeg0 >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libturbojpeg0 >/dev/null 2>&1; }; } \
      && echo "installed libturbojpeg0" \
      || echo "libturbojpeg0 could not be installed: the OpenCV image loader will be used."
else
    echo "libturbojpeg is not installed and apt is not usable as root: the OpenCV image loader will be used."
fi

step "Project packages (ltr, pytracking, prroi_pool) and dependencies"
# visdom, jpeg4py and the project are built from source, without build isolation, by the build
# tools installed above: check them first, so that a wrong setuptools stops here with the fix.
"${PINS[@]}" build-tools "$EFFECTIVE" \
    || fail "the build tools are not at their pinned versions (see above); nothing was built."
# The stamp records what was installed; if the package metadata, pins and torch are unchanged, skip.
STAMP="$VENV/.pytracking-install-stamp"
STAMP_NEW="$(cat setup.py setup.cfg pyproject.toml "$EFFECTIVE" | sha256sum | cut -d' ' -f1) $TORCH_SPEC"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_NEW" ] && "$PY" -c "import ltr, pytracking, visdom" 2>/dev/null; then
    echo "up to date"
else
    "${PIP[@]}" install -q --no-build-isolation -e ".[all]"
    echo "$STAMP_NEW" > "$STAMP"
fi

step "Installed versions against the pins ($(basename "$CONSTRAINTS"))"
"${PINS[@]}" check "$EFFECTIVE" || fail "the environment does not match the pins (see above)."
"${PIP[@]}" check || fail "pip check found broken requirements (see above)."
echo "every package at its pin"

step "visdom front end (its JavaScript and CSS from the npm registry, so the page works offline)"
if command -v npm >/dev/null 2>&1; then
    "$PY" -m pytracking.utils.visdom_assets \
        || echo "visdom front-end files could not be installed: the live-debugging page stays blank offline."
else
    echo "npm not found: the visdom live-debugging page stays blank without internet (install Node.js/npm and re-run)."
fi

step "Precise RoI Pooling op (C++ CPU kernel; CUDA kernel when torch has CUDA and nvcc exists)"
"$PY" -m prroi_pool.build   # incremental: a no-op when the built kernels are up to date

step "CPU kernels (C++: Winograd convolution, IoU-head products for ATOM; FHOG, colour names and ECO operators)"
"$PY" -m pytracking.libs.cpu_kernels.build   # incremental as well

step "Environment settings files (created if missing, never overwritten)"
"$PY" - <<'EOF'
from ltr.admin.environment import SPEC as LTR_SPEC
from pytracking.evaluation.environment import SPEC as PYT_SPEC
for spec in (LTR_SPEC, PYT_SPEC):
    created = spec.create_if_missing()
    print(("created  " if created else "kept     ") + str(spec.settings_file()))
EOF

if [ "${SKIP_MAIN_JOB:-0}" != "1" ]; then
    step "Main job: environment report"
    "$PY" -m ltr.admin.env_report
    # The built-in default: ECO-HC (hand-crafted features, no weight file needed) on the synthetic
    # benchmark (generated on first use under the synthetic_path setting); existing results are
    # kept, so a re-run only prints the analysis. ATOM with published weights: put atom_default.pth
    # in the network_path folder and run 'pytracking/run_tracker.py atom default'.
    step "Main job: ECO-HC (no weights needed) on the built-in synthetic benchmark"
    "$PY" pytracking/run_tracker.py eco default --dataset synthetic
    "$PY" pytracking/run_analysis.py --trackers eco:default --dataset synthetic --per-sequence
fi
