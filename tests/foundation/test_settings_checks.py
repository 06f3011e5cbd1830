"""Misspelled environment overrides and out-of-range numbers (issue 18, item 8)."""
import logging

import pytest

from ltr.admin import env_file
from ltr.admin.settings import Settings
from ltr.admin.value_range import check_range, in_range
from pytracking.tracker.atom.params import ATOMParams
from pytracking.utils.params import ParameterError, ParameterRangeError


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(env_file, "_WARNED_ENV_VARS", set())


def test_misspelled_pytracking_variable_warns_with_did_you_mean(monkeypatch, caplog, fresh_warnings,
                                                                tmp_path):
    from pytracking.evaluation.environment import env_settings

    monkeypatch.setenv("PYTRACKING_RESULT_PATH", str(tmp_path / "elsewhere"))
    with caplog.at_level(logging.WARNING, logger="ltr.admin.env_file"):
        env = env_settings()
        env_settings()  # once per variable and process
    assert env.get("results_path") == str(tmp_path / "results")  # the misspelling is not used
    (message,) = [r.getMessage() for r in caplog.records]
    assert "PYTRACKING_RESULT_PATH" in message and "did you mean PYTRACKING_RESULTS_PATH" in message


def test_unknown_ltr_variable_warns_and_known_ones_do_not(monkeypatch, caplog, fresh_warnings):
    from ltr.admin.environment import env_settings

    with caplog.at_level(logging.WARNING, logger="ltr.admin.env_file"):
        env_settings()
    assert caplog.records == []  # the suite's own LTR_* variables are all known
    monkeypatch.setenv("LTR_WORKSPACE_DIRR", "/x")
    monkeypatch.setenv("LTR_QQQ", "1")
    with caplog.at_level(logging.WARNING, logger="ltr.admin.env_file"):
        env_settings()
    messages = sorted(r.getMessage() for r in caplog.records)
    assert len(messages) == 2
    assert "LTR_QQQ" in messages[0] and "did you mean" not in messages[0]
    assert "LTR_WORKSPACE_DIRR" in messages[1] and "did you mean LTR_WORKSPACE_DIR?" in messages[1]


@pytest.mark.parametrize("value", [-5, 0, 2.5, "100", True, float("nan")])
def test_sample_memory_size_out_of_range_is_rejected(value):
    params = ATOMParams()
    with pytest.raises(ParameterRangeError, match="sample_memory_size") as err:
        params.sample_memory_size = value
    assert isinstance(err.value, ValueError) and isinstance(err.value, ParameterError)
    assert params.sample_memory_size == 250  # unchanged


def test_ranges_checked_for_overrides_and_constructor():
    params = ATOMParams()
    with pytest.raises(ParameterRangeError, match="learning_rate"):
        params.apply_overrides(["learning_rate=1.5"])
    with pytest.raises(ParameterRangeError, match="iounet_k"):
        ATOMParams(iounet_k=0)
    params.apply_overrides(["sample_memory_size=1", "learning_rate=0", "normalize_power=None"])
    assert (params.sample_memory_size, params.learning_rate, params.normalize_power) == (1, 0, None)


def test_every_ranged_atom_parameter_exists_and_defaults_fit():
    names = set(ATOMParams._field_names())
    assert set(ATOMParams.RANGES) <= names
    ATOMParams()  # the published defaults are inside every range


def test_training_settings_ranges():
    settings = Settings()
    for name, bad in (("print_interval", 0), ("max_restarts", -1), ("visdom_port", 70000),
                      ("world_size", 0), ("print_interval", "10")):
        with pytest.raises(ValueError, match=name):
            setattr(settings, name, bad)
        with pytest.raises(ValueError, match=name):
            settings.add_field(name, bad)
    settings.print_interval = 1
    assert settings.print_interval == 1


@pytest.mark.parametrize("spec, inside, outside", [
    (">= 1", [1, 2.5, 1e9], [0.999, -1]),
    ("> 0", [1e-12, 3], [0, -1]),
    ("[0, 1]", [0, 0.5, 1], [-1e-9, 1.0001]),
    ("(0, 1]", [1e-9, 1], [0, 2]),
    ("< 3", [2.9, -10], [3, 4]),
])
def test_range_texts(spec, inside, outside):
    assert all(in_range(v, spec) for v in inside)
    assert not any(in_range(v, spec) for v in outside)
    with pytest.raises(ValueError, match="what"):
        check_range(outside[0], spec, "what")
