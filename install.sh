#!/usr/bin/env bash
# Set up the framework in ./.venv and run the built-in default job. Safe to re-run: steps that are
# already done are skipped, and existing settings files are never touched.
#
#   bash install.sh                    # CPU torch 2.13.0 (default)
#   TORCH_SPEC=torch bash install.sh   # e.g. the registry's default (CUDA) build on a GPU machine
#   SKIP_MAIN_JOB=1 bash install.sh    # set up only (the main job tracks the built-in benchmark)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$REPO"
VENV="$REPO/.venv"
PY="$VENV/bin/python"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
# visdom ships only an sdist whose setup.py imports pkg_resources, which the newest setuptools no
# longer has; we build it (and our own packages) without isolation against a setuptools that has it.
SETUPTOOLS_SPEC="setuptools>=64,<81"

step() { printf '\n==> %s\n' "$*"; }

step "Python virtual environment in $VENV"
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
else
    echo "exists"
fi
PIP=("$PY" -m pip --disable-pip-version-check)

step "Build tools ($SETUPTOOLS_SPEC, wheel, ninja)"
if "$PY" - "$SETUPTOOLS_SPEC" <<'EOF'
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    major = int(version("setuptools").split(".")[0])
    version("wheel"); version("ninja")
except PackageNotFoundError:
    sys.exit(1)
sys.exit(0 if 64 <= major < 81 else 1)
EOF
then
    echo "present"
else
    "${PIP[@]}" install -q "$SETUPTOOLS_SPEC" wheel ninja
fi

step "PyTorch ($TORCH_SPEC)"
"${PIP[@]}" install -q "$TORCH_SPEC"

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
# The stamp records what was installed; if the package metadata and torch spec are unchanged, skip.
STAMP="$VENV/.pytracking-install-stamp"
STAMP_NEW="$(cat setup.py setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1) $TORCH_SPEC"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_NEW" ] && "$PY" -c "import ltr, pytracking, visdom" 2>/dev/null; then
    echo "up to date"
else
    "${PIP[@]}" install -q --no-build-isolation -e ".[all]"
    echo "$STAMP_NEW" > "$STAMP"
fi

step "visdom front end (its JavaScript and CSS from the npm registry, so the page works offline)"
if command -v npm >/dev/null 2>&1; then
    "$PY" -m pytracking.utils.visdom_assets \
        || echo "visdom front-end files could not be installed: the live-debugging page stays blank offline."
else
    echo "npm not found: the visdom live-debugging page stays blank without internet (install Node.js/npm and re-run)."
fi

step "Precise RoI Pooling op (C++ CPU kernel; CUDA kernel when torch has CUDA and nvcc exists)"
"$PY" -m prroi_pool.build   # incremental: a no-op when the built kernels are up to date

step "CPU kernels (C++: Winograd convolution, IoU-head products) for ATOM on a CPU"
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
    # The built-in default: ATOM on the synthetic benchmark (generated on first use under the
    # synthetic_path setting). Without a weight file in network_path ATOM runs on a seeded random
    # network (it says so); existing results are kept, so a re-run only prints the analysis.
    step "Main job: ATOM on the built-in synthetic benchmark"
    "$PY" pytracking/run_tracker.py atom default --dataset synthetic
    "$PY" pytracking/run_analysis.py --trackers atom:default --dataset synthetic --per-sequence
fi
