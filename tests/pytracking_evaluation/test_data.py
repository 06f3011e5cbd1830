import numpy as np
import pytest

from pytracking.evaluation import Sequence, SequenceList


def _seq(name, n=3, attributes=(), visible=None):
    gt = np.arange(n * 4, dtype=float).reshape(n, 4) + 1
    return Sequence(name, [f"{name}/{i}.jpg" for i in range(n)], "toy", gt, attributes=attributes,
                    target_visible=visible)


def test_init_info_is_first_box():
    s = _seq("a")
    assert s.init_info() == {"init_bbox": [1.0, 2.0, 3.0, 4.0]}
    assert len(s) == 3


def test_bad_ground_truth_shapes():
    with pytest.raises(ValueError, match="N x 4"):
        Sequence("x", ["a.jpg"], "toy", np.zeros((1, 3)))
    with pytest.raises(ValueError, match="only 1 frames"):
        Sequence("x", ["a.jpg"], "toy", np.ones((2, 4)))
    with pytest.raises(ValueError, match="target_visible"):
        Sequence("x", ["a.jpg", "b.jpg"], "toy", np.ones((2, 4)), target_visible=[True])


def test_valid_mask():
    gt = np.array([[0, 0, 5, 5], [np.nan] * 4, [0, 0, 0, 5], [1, 1, 2, 2]], dtype=float)
    s = Sequence("x", list("abcd"), "toy", gt, target_visible=[True, True, True, False])
    assert s.valid_mask().tolist() == [True, False, False, False]


def test_sequence_list_filters():
    seqs = SequenceList([_seq("a", attributes=["OCC", "IV"]), _seq("b", attributes=["IV"]), _seq("c")])
    assert seqs["b"].name == "b"
    assert seqs.filter_names(["c", "a"]).names() == ["c", "a"]
    assert seqs.filter_attribute("IV").names() == ["a", "b"]
    assert seqs.filter_attribute("OCC").names() == ["a"]
    assert seqs.attributes() == ["IV", "OCC"]
    assert isinstance(seqs[:2], SequenceList)
    with pytest.raises(KeyError, match="zz"):
        seqs.filter_names(["zz"])
    with pytest.raises(ValueError, match="none of these sequences"):
        SequenceList([_seq("c")]).filter_attribute("IV")
