"""ensure_dataset: generate on first use, reuse afterwards, root as write_dataset would give it."""
from ltr.dataset.synthetic import dataset_root, ensure_dataset


def test_generates_once_and_reuses(tmp_path):
    out = tmp_path / "got"
    expected_root = dataset_root("got10k", out, split="val")
    assert expected_root == (out / "val").absolute()
    root = ensure_dataset("got10k", out, num_sequences=2, num_frames=4, seed=3,
                          image_size=(64, 48), split="val")
    assert root == expected_root
    names = (root / "list.txt").read_text().split()
    assert names == ["GOT-10k_Val_000001", "GOT-10k_Val_000002"]
    first = root / names[0] / "00000001.jpg"
    stamp = first.stat().st_mtime_ns
    again = ensure_dataset("got10k", out, num_sequences=2, num_frames=4, seed=3,
                           image_size=(64, 48), split="val")
    assert again == root and first.stat().st_mtime_ns == stamp  # not written again
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no leftover temp folders


def test_root_of_layouts_without_split(tmp_path):
    assert dataset_root("otb", tmp_path / "o") == (tmp_path / "o").absolute()
    root = ensure_dataset("otb", tmp_path / "o", num_sequences=1, num_frames=3, image_size=(64, 48))
    seqs = [p for p in root.iterdir() if p.is_dir()]
    assert len(seqs) == 1 and len(list((seqs[0] / "img").glob("*.jpg"))) == 3
