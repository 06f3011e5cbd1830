"""Environment settings of `ltr` (training): workspace, pretrained weights and training datasets.

The values live in ``ltr/admin/local.py`` (created with defaults when missing, never overwritten) and can
be overridden per field by ``LTR_<FIELD>`` environment variables; ``LTR_SETTINGS_FILE`` selects another
settings file. Run ``python -m ltr.admin.environment`` to create the file and print the settings.
"""
from __future__ import annotations

from pathlib import Path

from ltr.admin.env_file import EnvFileSpec, EnvSettings, Field

REPO_ROOT = Path(__file__).resolve().parents[2]
_WORKSPACE = REPO_ROOT / "workspace"

FIELDS = (
    Field("workspace_dir", str(_WORKSPACE), "base directory for checkpoints and logs",
          must_exist=False),
    Field("tensorboard_dir", str(_WORKSPACE / "tensorboard"), "tensorboard event files",
          must_exist=False),
    Field("pretrained_networks", str(_WORKSPACE / "pretrained_networks"),
          "folder with ImageNet backbone weight files (e.g. resnet18-f37072fd.pth)"),
    Field("lasot_dir", "", "LaSOT root (folders <class>/<class>-<n>)"),
    Field("got10k_dir", "", "GOT-10k train folder (with list.txt)"),
    Field("trackingnet_dir", "", "TrackingNet root (folders TRAIN_0 ... TRAIN_11)"),
    Field("coco_dir", "", "COCO root (annotations/ and train2017/)"),
    Field("lvis_dir", "", "LVIS root"),
    Field("sbd_dir", "", "SBD root"),
    Field("imagenet_dir", "", "ImageNet VID root (Data/ and Annotations/)"),
    Field("imagenetdet_dir", "", "ImageNet DET root"),
    Field("ecssd_dir", "", "ECSSD root"),
    Field("hkuis_dir", "", "HKU-IS root"),
    Field("msra10k_dir", "", "MSRA10k root"),
    Field("davis_dir", "", "DAVIS root"),
    Field("youtubevos_dir", "", "YouTube-VOS root"),
)

SPEC = EnvFileSpec("ltr", REPO_ROOT / "ltr" / "admin" / "local.py", "LTR", FIELDS)


def env_settings() -> EnvSettings:
    """The current `ltr` environment settings (creates the local file with defaults if missing)."""
    return EnvSettings(SPEC)


def create_default_local_file() -> bool:
    """Create ``ltr/admin/local.py`` with defaults unless it exists; True if created now."""
    return SPEC.create_if_missing()


if __name__ == "__main__":
    from ltr.admin.cli import environment_main, run_main

    run_main(lambda argv: environment_main(SPEC, "ltr.admin.environment", argv))
