#!/usr/bin/env bash
# GPU verification of the CUDA paths (issue 22), one run on a machine with an NVIDIA GPU, a CUDA
# build of torch and nvcc (e.g. the device machine, whose python3 has them):
#
#   bash tools/gpu_check.sh [LOG_DIR]          # PY=python3 by default; the log goes to LOG_DIR
#
# Steps: environment; build the PrRoIPool op (CPU + CUDA) and the CPU kernels in place; the tests
# of the op (the CUDA ones skip without a GPU) and of ATOM; tools/gpu_check.py (PrRoIPool CUDA vs
# C++ vs reference, PrRoIPool speed on the GPU, ATOM on the GPU vs the CPU and its frames/s); a few
# training iterations of bbreg atom_synthetic and siam siamrpn_synthetic on the GPU, also under
# torchrun --nproc_per_node 1 (NCCL). The project is used in place (PYTHONPATH), nothing is
# installed; the settings files are created if missing. Every step runs even when an earlier one
# failed; the summary at the end lists each step's exit status, and the script exits 1 if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PY:-python3}"
LOG_DIR="${1:-${OUT:-/tmp/gpu_check}}"
mkdir -p "$LOG_DIR"
LOG="$LOG_DIR/gpu_check.log"
: > "$LOG"
export PYTHONPATH="$PWD:$PWD/external${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
SUMMARY=()
FAILED=0

step() {   # step NAME COMMAND...: run, log, record the exit status
    local name="$1"
    shift
    echo "==> $name" | tee -a "$LOG"
    local start=$SECONDS
    "$@" 2>&1 | tee -a "$LOG"
    local rc=${PIPESTATUS[0]}
    SUMMARY+=("$(printf '%-56s exit %3d  %4ds' "$name" "$rc" "$((SECONDS - start))")")
    [ "$rc" -eq 0 ] || FAILED=1
}

step "environment" bash -c "nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; \
    '$PY' -c 'import torch; print(\"torch\", torch.__version__, \"CUDA\", torch.version.cuda, \
\"device\", torch.cuda.get_device_name() if torch.cuda.is_available() else None)'; nvcc --version | tail -1"
step "settings files" "$PY" -c "
from ltr.admin.environment import SPEC as L
from pytracking.evaluation.environment import SPEC as P
for spec in (L, P):
    print(('created ' if spec.create_if_missing() else 'kept    ') + str(spec.settings_file()))"
step "build PrRoIPool (CPU + CUDA)" "$PY" -m prroi_pool.build
step "build the CPU kernels" "$PY" -m pytracking.libs.cpu_kernels.build
step "tests: PrRoIPool op (CUDA ones included)" "$PY" -m pytest -q -p no:cacheprovider tests/prroi_pool_op -rs
step "tests: ATOM and ECO trackers" "$PY" -m pytest -q -p no:cacheprovider tests/pytracking_atom tests/tracker_eco
step "PrRoIPool and ATOM on the GPU (tools/gpu_check.py)" "$PY" tools/gpu_check.py --device cuda
# each training run in its own workspace (a run finds an earlier run's last checkpoint and resumes)
ATOM_ARGS=(bbreg atom_synthetic epochs=1 train_iterations=10 val_iterations=2 val_epoch_interval=1)
SIAM_ARGS=(siam siamrpn_synthetic num_epochs=1 samples_per_epoch=64)
step "training: bbreg atom_synthetic (GPU)" env LTR_WORKSPACE_DIR="$LOG_DIR/ws_atom" \
    "$PY" ltr/run_training.py --seed 1 "${ATOM_ARGS[@]}"
step "training: siam siamrpn_synthetic (GPU)" env LTR_WORKSPACE_DIR="$LOG_DIR/ws_siam" \
    "$PY" ltr/run_training.py --seed 1 "${SIAM_ARGS[@]}"
step "training: torchrun 1 process, NCCL, atom_synthetic" env LTR_WORKSPACE_DIR="$LOG_DIR/ws_atom_ddp" \
    "$PY" -m torch.distributed.run --nproc_per_node 1 ltr/run_training.py --seed 2 --dist_backend nccl "${ATOM_ARGS[@]}"
step "training: torchrun 1 process, NCCL, siamrpn_synthetic" env LTR_WORKSPACE_DIR="$LOG_DIR/ws_siam_ddp" \
    "$PY" -m torch.distributed.run --nproc_per_node 1 ltr/run_training.py --seed 2 --dist_backend nccl "${SIAM_ARGS[@]}"

echo "==> summary" | tee -a "$LOG"
printf '%s\n' "${SUMMARY[@]}" | tee -a "$LOG"
exit "$FAILED"
