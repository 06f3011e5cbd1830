"""Dataset roots come from the settings; errors name the field, and `synthetic` generates itself."""
import pytest

from ltr.admin.env_file import SettingsPathError
from pytracking.evaluation.data import DatasetLayoutError
from pytracking.evaluation.datasets import DATASETS, get_dataset, load_dataset

FIELDS = {"otb": "otb_path", "lasot": "lasot_path", "got10k_test": "got10k_path", "got10k_val": "got10k_path",
          "got10k_ltrval": "got10k_path", "trackingnet": "trackingnet_path", "uav": "uav_path", "nfs": "nfs_path",
          "vot": "vot_path"}


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_unset_path_names_the_field(name):
    with pytest.raises(SettingsPathError, match=f"'{FIELDS[name]}'.*PYTRACKING_{FIELDS[name].upper()}"):
        get_dataset(name)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_missing_path_names_the_field(name, tmp_path, monkeypatch):
    monkeypatch.setenv(f"PYTRACKING_{FIELDS[name].upper()}", str(tmp_path / "nowhere"))
    with pytest.raises(SettingsPathError, match=f"'{FIELDS[name]}'.*nowhere"):
        get_dataset(name)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_wrong_layout_names_the_field(name, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(f"PYTRACKING_{FIELDS[name].upper()}", str(tmp_path / "empty"))
    with pytest.raises(DatasetLayoutError, match=FIELDS[name]):
        get_dataset(name)


def test_table_and_unknown_name():
    assert set(DATASETS) == set(FIELDS) | {"synthetic"}
    with pytest.raises(ValueError, match="Did you mean 'lasot'"):
        get_dataset("lasott")


def test_synthetic_generated_on_first_use(isolated_settings):
    pytest.importorskip("ltr.dataset.synthetic", reason="synthetic generator not available")
    root = isolated_settings / "synthetic" / "otb"
    assert not root.exists()
    seqs = get_dataset("synthetic")
    assert len(seqs) == 3 and all(len(s.frames) == 60 and s.dataset == "synthetic" for s in seqs)
    assert (root / ".complete").is_file()
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")]  # staging folder removed
    mtime = (root / seqs[0].name / "groundtruth_rect.txt").stat().st_mtime_ns
    again = get_dataset("synthetic")  # reused, not regenerated
    assert again.names() == seqs.names()
    assert (root / seqs[0].name / "groundtruth_rect.txt").stat().st_mtime_ns == mtime
    import cv2
    assert cv2.imread(seqs[0].frames[0]).shape == (240, 320, 3)


def test_synthetic_refuses_foreign_folder(isolated_settings):
    pytest.importorskip("ltr.dataset.synthetic", reason="synthetic generator not available")
    root = isolated_settings / "synthetic" / "otb"
    root.mkdir(parents=True)
    (root / "something.txt").write_text("x")
    with pytest.raises(FileExistsError, match="synthetic_path"):
        load_dataset("synthetic").get_sequence_list()
