"""Environment settings of `pytracking`: network weights, results folders and benchmark datasets.

The values live in ``pytracking/evaluation/local.py`` (created with defaults when missing, never
overwritten) and can be overridden per field by ``PYTRACKING_<FIELD>`` environment variables;
``PYTRACKING_SETTINGS_FILE`` selects another settings file. Run
``python -m pytracking.evaluation.environment`` to create the file and print the settings.
"""
from __future__ import annotations

from pathlib import Path

from ltr.admin.env_file import EnvFileSpec, EnvSettings, Field

REPO_ROOT = Path(__file__).resolve().parents[2]
_PKG = REPO_ROOT / "pytracking"

FIELDS = (
    Field("network_path", str(_PKG / "networks"), "folder with tracking network weight files"),
    Field("results_path", str(_PKG / "tracking_results"), "tracker outputs", must_exist=False),
    Field("result_plot_path", str(_PKG / "result_plots"), "analysis plots and tables",
          must_exist=False),
    Field("segmentation_path", str(_PKG / "segmentation_results"), "segmentation outputs",
          must_exist=False),
    Field("got_packed_results_path", str(_PKG / "packed_results" / "got10k"),
          "GOT-10k server submissions", must_exist=False),
    Field("tn_packed_results_path", str(_PKG / "packed_results" / "trackingnet"),
          "TrackingNet server submissions", must_exist=False),
    Field("synthetic_path", str(REPO_ROOT / "workspace" / "synthetic" / "otb"),
          "built-in synthetic benchmark (generated on first use)", must_exist=False),
    Field("otb_path", "", "OTB-100 root (folders <Name>/img)"),
    Field("lasot_path", "", "LaSOT root"),
    Field("got10k_path", "", "GOT-10k root (train/, val/, test/)"),
    Field("trackingnet_path", "", "TrackingNet root (TEST/, TRAIN_k/)"),
    Field("uav_path", "", "UAV123 root (anno/, data_seq/)"),
    Field("nfs_path", "", "NfS root"),
    Field("vot_path", "", "VOT root (with list.txt)"),
    Field("tpl_path", "", "Temple-Color-128 root"),
    Field("davis_dir", "", "DAVIS root"),
    Field("youtubevos_dir", "", "YouTube-VOS root"),
)

SPEC = EnvFileSpec("pytracking", REPO_ROOT / "pytracking" / "evaluation" / "local.py",
                   "PYTRACKING", FIELDS)


def env_settings() -> EnvSettings:
    """The current `pytracking` environment settings (creates the local file if missing)."""
    return EnvSettings(SPEC)


def create_default_local_file() -> bool:
    """Create ``pytracking/evaluation/local.py`` with defaults unless it exists; True if created."""
    return SPEC.create_if_missing()


if __name__ == "__main__":
    from ltr.admin.cli import environment_main, run_main

    run_main(lambda argv: environment_main(SPEC, "pytracking.evaluation.environment", argv))
