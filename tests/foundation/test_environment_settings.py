"""Environment settings files: created once, never overwritten, overridable, clear errors."""
import os
import subprocess
import sys

import pytest

from ltr.admin import environment as ltr_environment
from ltr.admin.env_file import SettingsFileError, SettingsPathError
from pytracking.evaluation import environment as pyt_environment

PACKAGES = [
    pytest.param(ltr_environment, "LTR", "lasot_dir", "workspace_dir", id="ltr"),
    pytest.param(pyt_environment, "PYTRACKING", "otb_path", "results_path", id="pytracking"),
]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith(("LTR_", "PYTRACKING_")):
            monkeypatch.delenv(key)


@pytest.fixture
def settings_file(tmp_path, monkeypatch):
    """Point both packages at settings files inside tmp_path (the real local.py stays untouched)."""
    monkeypatch.setenv("LTR_SETTINGS_FILE", str(tmp_path / "ltr_local.py"))
    monkeypatch.setenv("PYTRACKING_SETTINGS_FILE", str(tmp_path / "pyt_local.py"))
    return {"LTR": tmp_path / "ltr_local.py", "PYTRACKING": tmp_path / "pyt_local.py"}


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_file_created_with_defaults_when_missing(settings_file, module, prefix, input_field,
                                                 output_field):
    path = settings_file[prefix]
    assert not path.exists()
    env = module.env_settings()
    assert path.exists()
    text = path.read_text()
    assert f"self.{input_field} = ''" in text
    assert env.get(input_field) == ""
    # the default for an output folder is a real path, and it is reported as coming from the file
    assert env.get(output_field) != ""
    assert env.source(output_field) == str(path)


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_existing_file_is_never_overwritten(settings_file, tmp_path, module, prefix, input_field,
                                            output_field):
    path = settings_file[prefix]
    module.env_settings()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    edited = path.read_text().replace(f"self.{input_field} = ''",
                                      f"self.{input_field} = {str(data_dir)!r}")
    path.write_text(edited)
    assert module.create_default_local_file() is False
    env = module.env_settings()
    assert path.read_text() == edited
    assert getattr(env, input_field) == str(data_dir)


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_broken_file_is_reported_and_kept(settings_file, module, prefix, input_field, output_field):
    path = settings_file[prefix]
    broken = "class EnvironmentSettings:\n    def __init__(self)\n        pass\n"  # syntax error
    path.write_text(broken)
    with pytest.raises(SettingsFileError) as err:
        module.env_settings()
    assert str(path) in str(err.value)
    assert module.create_default_local_file() is False
    assert path.read_text() == broken


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_misspelled_name_in_file_is_an_error(settings_file, module, prefix, input_field,
                                             output_field):
    path = settings_file[prefix]
    module.env_settings()
    misspelled = input_field[:-1] + input_field[-1] * 2  # e.g. lasot_dirr
    path.write_text(path.read_text() + f"        self.{misspelled} = '/x'\n")
    with pytest.raises(SettingsFileError) as err:
        module.env_settings()
    msg = str(err.value)
    assert misspelled in msg and str(path) in msg and f"did you mean '{input_field}'" in msg


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_environment_variable_overrides_file(settings_file, tmp_path, monkeypatch, module, prefix,
                                             input_field, output_field):
    module.env_settings()
    target = tmp_path / "from_env"
    target.mkdir()
    monkeypatch.setenv(f"{prefix}_{input_field.upper()}", str(target))
    monkeypatch.setenv(f"{prefix}_{output_field.upper()}", str(tmp_path / "out"))
    env = module.env_settings()
    assert getattr(env, input_field) == str(target)
    assert getattr(env, output_field) == str(tmp_path / "out")
    assert env.source(input_field) == f"environment variable {prefix}_{input_field.upper()}"


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_unset_path_error_names_field_file_and_variable(settings_file, module, prefix, input_field,
                                                        output_field):
    env = module.env_settings()
    with pytest.raises(SettingsPathError) as err:
        getattr(env, input_field)
    msg = str(err.value)
    assert f"'{input_field}'" in msg
    assert "is not set" in msg
    assert str(settings_file[prefix]) in msg
    assert f"{prefix}_{input_field.upper()}" in msg


@pytest.mark.parametrize("module, prefix, input_field, output_field", PACKAGES)
def test_missing_input_path_error(settings_file, tmp_path, monkeypatch, module, prefix,
                                  input_field, output_field):
    missing = tmp_path / "does_not_exist"
    monkeypatch.setenv(f"{prefix}_{input_field.upper()}", str(missing))
    env = module.env_settings()
    with pytest.raises(SettingsPathError) as err:
        getattr(env, input_field)
    msg = str(err.value)
    assert str(missing) in msg and "does not exist" in msg
    assert f"{prefix}_{input_field.upper()}" in msg and str(settings_file[prefix]) in msg
    # an output folder only has to be set: it is created by whoever writes there
    monkeypatch.setenv(f"{prefix}_{output_field.upper()}", str(missing))
    assert getattr(module.env_settings(), output_field) == str(missing)


def test_unknown_attribute_suggests_the_right_name(settings_file):
    env = ltr_environment.env_settings()
    with pytest.raises(AttributeError, match="did you mean 'got10k_dir'|Did you mean 'got10k_dir'"):
        env.got10_dir


def test_command_line_creates_file_and_reports(settings_file):
    out = subprocess.run([sys.executable, "-m", "ltr.admin.environment"], capture_output=True,
                         text=True, check=True, env=os.environ.copy())
    assert "Created " + str(settings_file["LTR"]) in out.stdout
    assert "lasot_dir" in out.stdout and "(not set)" in out.stdout
    out2 = subprocess.run([sys.executable, "-m", "ltr.admin.environment"], capture_output=True,
                          text=True, check=True, env=os.environ.copy())
    assert "Using existing " + str(settings_file["LTR"]) in out2.stdout
