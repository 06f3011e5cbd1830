"""TensorList semantics: element-wise arithmetic, mapping, indexing, concatenation."""
import pickle

import pytest
import torch

from pytracking.libs.tensorlist import TensorList, tensor_operation, tl_torch


@pytest.fixture
def pair():
    a = TensorList([torch.tensor([1.0, 2.0]), torch.tensor([[3.0], [4.0]])])
    b = TensorList([torch.tensor([10.0, 20.0]), torch.tensor([[30.0], [40.0]])])
    return a, b


def test_arithmetic_with_scalar(pair):
    a, _ = pair
    assert (a + 1)[0].tolist() == [2.0, 3.0]
    assert (1 + a)[1].tolist() == [[4.0], [5.0]]
    assert (a * 2)[0].tolist() == [2.0, 4.0]
    assert (2 - a)[0].tolist() == [1.0, 0.0]
    assert (a / 2)[1].tolist() == [[1.5], [2.0]]
    assert (6 / a)[0].tolist() == [6.0, 3.0]
    assert (a ** 2)[1].tolist() == [[9.0], [16.0]]
    assert (-a)[0].tolist() == [-1.0, -2.0]
    assert isinstance(a + 1, TensorList)


def test_arithmetic_pairs_elements(pair):
    a, b = pair
    s = a + b
    assert s[0].tolist() == [11.0, 22.0] and s[1].tolist() == [[33.0], [44.0]]
    assert (b - a)[0].tolist() == [9.0, 18.0]
    assert (a * b)[1].tolist() == [[90.0], [160.0]]
    assert (b / a)[0].tolist() == [10.0, 10.0]


def test_length_mismatch_is_an_error(pair):
    a, _ = pair
    with pytest.raises(ValueError, match="length mismatch"):
        _ = a + TensorList([torch.ones(1)])


def test_inplace_ops_modify_the_same_tensors(pair):
    a, b = pair
    first = a[0]
    a += b
    assert a[0] is first  # tensors updated in place, references held elsewhere stay valid
    assert first.tolist() == [11.0, 22.0]
    a *= 0.5
    assert first.tolist() == [5.5, 11.0]
    a -= 0.5
    a /= 4
    assert first.tolist() == [1.25, 2.625]


def test_tensor_methods_are_mapped(pair):
    a, _ = pair
    sums = a.sum()
    assert isinstance(sums, TensorList)
    assert [s.item() for s in sums] == [3.0, 7.0]
    assert [tuple(t.shape) for t in a.view(-1)] == [(2,), (2,)]
    assert a.shape == [torch.Size([2]), torch.Size([2, 1])]  # attributes too
    with pytest.raises(AttributeError, match="no attribute 'not_a_method'"):
        a.not_a_method()


def test_indexing_and_concatenation(pair):
    a, b = pair
    assert a[1] is a[1] and torch.is_tensor(a[0])
    sub = a[[1]]
    assert isinstance(sub, TensorList) and len(sub) == 1 and sub[0] is a[1]
    assert isinstance(a[0:1], TensorList)
    c = a.cat(b)
    assert isinstance(c, TensorList) and len(c) == 4 and c[2] is b[0]
    with pytest.raises(TypeError):
        a["x"]


def test_apply_and_torch_functions(pair):
    a, b = pair
    e = a.apply(torch.exp)
    assert torch.allclose(e[0], torch.exp(torch.tensor([1.0, 2.0])))
    m = tl_torch.maximum(a, b - 15)  # TensorList arguments are paired element by element
    assert m[0].tolist() == [1.0, 5.0]
    assert m[1].tolist() == [[15.0], [25.0]]

    @tensor_operation
    def scaled_dot(x, y, scale=1.0):
        return scale * (x * y).sum()

    d = scaled_dot(a, b, scale=2.0)
    assert [v.item() for v in d] == [2 * 50.0, 2 * 250.0]
    assert scaled_dot(torch.ones(3), torch.ones(3)).item() == 3.0  # plain tensors pass through


def test_comparison_and_abs(pair):
    a, _ = pair
    assert (a > 1.5)[0].tolist() == [False, True]
    assert abs(-a)[1].tolist() == [[3.0], [4.0]]


def test_pickle_round_trip(pair):
    a, _ = pair
    back = pickle.loads(pickle.dumps(a))
    assert isinstance(back, TensorList)
    assert all(torch.equal(x, y) for x, y in zip(a, back))
