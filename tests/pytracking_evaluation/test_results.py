import numpy as np
import pytest

from pytracking.evaluation.results import (ResultFileError, read_boxes, read_sequence_result, tracker_results_dir,
                                           write_sequence_result)


def test_layout(tmp_path):
    assert tracker_results_dir("atom", "default", None, tmp_path) == tmp_path / "atom" / "default"
    assert tracker_results_dir("atom", "default", 3, tmp_path) == tmp_path / "atom" / "default_003"


def test_layout_uses_setting(isolated_settings):
    assert tracker_results_dir("atom", "default", 12) == isolated_settings / "results" / "atom" / "default_012"


def test_roundtrip_tab_delimited_and_atomic(tmp_path):
    boxes = np.array([[1.5, 2.25, 30, 40], [2, 3, 31.125, 41]])
    times = np.array([0.1, 0.02])
    d = tmp_path / "atom" / "default"
    path = write_sequence_result(d, "Seq1", boxes, times)
    assert path == d / "Seq1.txt"
    assert path.read_text().splitlines()[0].split("\t") == ["1.5000", "2.2500", "30.0000", "40.0000"]
    got_boxes, got_times = read_sequence_result(d, "Seq1")
    np.testing.assert_allclose(got_boxes, boxes)
    np.testing.assert_allclose(got_times, times)
    assert sorted(p.name for p in d.iterdir()) == ["Seq1.txt", "Seq1_time.txt"]  # no temp files left


def test_read_comma_and_errors(tmp_path):
    (tmp_path / "a.txt").write_text("1,2,3,4\n5,6,7,8\n")
    np.testing.assert_array_equal(read_boxes(tmp_path / "a.txt"), [[1, 2, 3, 4], [5, 6, 7, 8]])
    with pytest.raises(ResultFileError, match="b.txt"):
        read_boxes(tmp_path / "b.txt")
    assert read_sequence_result(tmp_path, "a")[1] is None
