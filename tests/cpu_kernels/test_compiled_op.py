"""compiled_op: which implementation an op with a compiled kernel and a torch fallback runs."""
import logging

import pytest

import pytracking.libs.cpu_kernels as cpu_kernels
from pytracking.libs.cpu_kernels import BUILD_COMMAND, compiled_op


class _FakeKernel:
    """A built kernel module with one op."""

    @staticmethod
    def present_op() -> str:
        return "compiled"


@pytest.fixture
def fake_kernel(monkeypatch):
    monkeypatch.setattr(cpu_kernels, "load_kernel", lambda: _FakeKernel)
    monkeypatch.setattr(cpu_kernels, "_warned_fallback", set())


def test_a_built_op_is_used_unless_refused(fake_kernel):
    assert compiled_op("present_op")() == "compiled"
    assert compiled_op("present_op", use_kernel=True)() == "compiled"
    assert compiled_op("present_op", use_kernel=False) is None


def test_a_missing_op_falls_back_with_one_warning_or_is_an_error_when_required(fake_kernel, caplog):
    with caplog.at_level(logging.WARNING, logger="pytracking.libs.cpu_kernels"):
        assert compiled_op("absent_op") is None
        assert compiled_op("absent_op") is None
    warnings = [r for r in caplog.records if "absent_op" in r.getMessage()]
    assert len(warnings) == 1 and "torch version" in warnings[0].getMessage()
    with pytest.raises(RuntimeError, match="absent_op") as err:
        compiled_op("absent_op", use_kernel=True)
    assert BUILD_COMMAND in str(err.value)
    assert compiled_op("absent_op", use_kernel=False) is None


def test_no_build_at_all_falls_back(monkeypatch):
    monkeypatch.setattr(cpu_kernels, "load_kernel", lambda: None)
    monkeypatch.setattr(cpu_kernels, "missing_reason", lambda: "not built (test)")
    monkeypatch.setattr(cpu_kernels, "_warned_fallback", set())
    assert compiled_op("fhog") is None
    with pytest.raises(RuntimeError, match="not built \\(test\\)"):
        compiled_op("fhog", use_kernel=True)


def test_the_warning_names_the_fallback_that_runs(fake_kernel, caplog):
    with caplog.at_level(logging.WARNING, logger="pytracking.libs.cpu_kernels"):
        assert compiled_op("other_absent_op", fallback="OpenCV resize") is None
    (warning,) = [r.getMessage() for r in caplog.records if "other_absent_op" in r.getMessage()]
    assert "slower OpenCV resize" in warning and "torch" not in warning
