"""TensorDict semantics: mapped tensor methods, concat, apply, attribute."""
import copy
import pickle

import pytest
import torch

from pytracking.libs import TensorDict, TensorList


def test_methods_map_over_tensors_and_skip_other_values():
    d = TensorDict(a=torch.ones(2, dtype=torch.float32), name="seq", b=torch.zeros(3, 1))
    d64 = d.to(torch.float64)
    assert isinstance(d64, TensorDict)
    assert d64["a"].dtype == torch.float64 and d64["b"].dtype == torch.float64
    assert d64["name"] == "seq"
    assert d["a"].dtype == torch.float32  # the original is unchanged
    assert list(d64.keys()) == ["a", "name", "b"]  # order kept
    v = d.view(-1)
    assert v["b"].shape == (3,)


def test_unknown_method_is_an_attribute_error():
    d = TensorDict(a=torch.ones(1))
    with pytest.raises(AttributeError, match="no attribute 'frobnicate'"):
        d.frobnicate()


def test_concat_apply_attribute_copy():
    d1 = TensorDict(a=torch.ones(2))
    d2 = TensorDict(b=torch.full((3,), 2.0), a=torch.zeros(1))
    c = d1.concat(d2)
    assert list(c.keys()) == ["a", "b"] and c["a"].shape == (1,)  # other wins on clashes
    s = c.apply(lambda t: t.sum())
    assert s["b"].item() == 6.0
    shapes = c.attribute("shape")
    assert shapes["b"] == torch.Size([3])
    assert c.attribute("missing", None)["a"] is None
    cp = c.copy()
    assert isinstance(cp, TensorDict) and cp["b"] is c["b"]
    dc = copy.deepcopy(c)
    assert isinstance(dc, TensorDict) and dc["b"] is not c["b"] and torch.equal(dc["b"], c["b"])


def test_tensorlist_values_and_pickle():
    d = TensorDict(x=TensorList([torch.ones(2), torch.ones(3)]))
    doubled = d.apply(lambda v: v * 2)
    assert [t.sum().item() for t in doubled["x"]] == [4.0, 6.0]
    back = pickle.loads(pickle.dumps(d))
    assert isinstance(back, TensorDict) and isinstance(back["x"], TensorList)
