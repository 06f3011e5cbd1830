import numpy as np
import pytest

from pytracking.utils.load_text import TextTableError, load_text


def _write(tmp_path, text, name="gt.txt"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize("text", ["1,2,3,4\n5,6,7,8\n", "1\t2\t3\t4\n5\t6\t7\t8\n", "1 2 3 4\n5  6 7 8\n",
                                  "1,2,3,4\n5\t6\t7\t8\n", "1, 2,3\t4\n5 6,7 8\n"])
def test_delimiters(tmp_path, text):
    np.testing.assert_array_equal(load_text(_write(tmp_path, text)), [[1, 2, 3, 4], [5, 6, 7, 8]])


def test_nan_rows_and_single_row(tmp_path):
    arr = load_text(_write(tmp_path, "NaN,NaN,NaN,NaN\n1.5,2,3,4\n"))
    assert np.isnan(arr[0]).all() and arr[1].tolist() == [1.5, 2, 3, 4]
    assert load_text(_write(tmp_path, "1,2,3,4\n", "one.txt")).shape == (1, 4)


def test_bad_line_is_named(tmp_path):
    with pytest.raises(TextTableError, match=r"gt\.txt, line 2"):
        load_text(_write(tmp_path, "1,2,3,4\n1,x,3,4\n"))
    with pytest.raises(TextTableError, match="expected 4"):
        load_text(_write(tmp_path, "1,2,3\n", "three.txt"), ncols=4)


def test_missing_and_empty(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_text(tmp_path / "nope.txt")
    assert load_text(_write(tmp_path, "", "empty.txt"), ncols=4).shape == (0, 4)
