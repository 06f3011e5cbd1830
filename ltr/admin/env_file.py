"""Machine-specific path settings kept in a local Python file, shared by `ltr` and `pytracking`.

Each package declares its fields (name, default, comment, whether it is an input that must exist or an
output that is created when needed). The local file is written with the defaults when it is missing and
is never rewritten afterwards. Every field can be overridden by an environment variable
``<PREFIX>_<FIELD>`` (upper case). Asking for a path that is unset or missing raises
:class:`SettingsPathError`, whose message names the field, the file to edit and the variable.
"""
from __future__ import annotations

import difflib
import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ltr.admin.atomic_file import write_atomic

logger = logging.getLogger(__name__)

_WARNED_ENV_VARS: set[str] = set()


class SettingsPathError(FileNotFoundError):
    """A path setting is unset, or points to something that does not exist."""


class SettingsFileError(RuntimeError):
    """The local settings file cannot be imported or contains unknown names."""


@dataclass(frozen=True)
class Field:
    """One path setting: its name, default value, a one-line description, and its role.

    ``must_exist`` marks inputs (datasets, weights): asking for one that does not exist is an error.
    Outputs (results, checkpoints) only have to be set; callers create them.
    """

    name: str
    default: str
    comment: str
    must_exist: bool = True


class EnvFileSpec:
    """The fields of one package's environment settings and where its local file lives."""

    def __init__(self, package: str, default_file: Path, env_prefix: str,
                 fields: Iterable[Field]) -> None:
        self.package = package
        self.default_file = Path(default_file)
        self.env_prefix = env_prefix
        self.fields = {f.name: f for f in fields}

    @property
    def file_override_var(self) -> str:
        return f"{self.env_prefix}_SETTINGS_FILE"

    def settings_file(self) -> Path:
        """The local settings file in use (``<PREFIX>_SETTINGS_FILE`` may point elsewhere)."""
        override = os.environ.get(self.file_override_var)
        return Path(override).expanduser() if override else self.default_file

    def env_var(self, name: str) -> str:
        return f"{self.env_prefix}_{name.upper()}"

    def known_env_vars(self) -> list[str]:
        """Every ``<PREFIX>_*`` environment variable this package reads."""
        return [self.file_override_var] + [self.env_var(name) for name in self.fields]

    def warn_unknown_env_vars(self) -> list[str]:
        """Warn (once per variable and process) about ``<PREFIX>_*`` environment variables that
        no setting reads — usually a misspelling, which would otherwise be ignored silently.
        Returns the unknown names found now."""
        known = self.known_env_vars()
        unknown = sorted(k for k in os.environ
                         if k.startswith(self.env_prefix + "_") and k not in known)
        for name in unknown:
            if name in _WARNED_ENV_VARS:
                continue
            _WARNED_ENV_VARS.add(name)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            logger.warning("Environment variable %s is not a %s setting and is ignored%s "
                           "(known: %s)", name, self.package, hint, ", ".join(known))
        return unknown

    # ------------------------------------------------------------------ the file
    def render_default_file(self) -> str:
        lines = [
            f'"""Local environment settings of `{self.package}` for this machine.',
            "",
            "Created with defaults because it was missing; edit the paths below. This file is never",
            "overwritten and is ignored by git. Any field can also be overridden by an environment",
            f"variable {self.env_prefix}_<FIELD> (upper case), e.g. "
            f"{self.env_var(next(iter(self.fields)))}.",
            "An empty string means: not set.",
            '"""',
            "",
            "",
            "class EnvironmentSettings:",
            "    def __init__(self):",
        ]
        width = max(len(f"self.{f.name} = {f.default!r}") for f in self.fields.values())
        for f in self.fields.values():
            assignment = f"self.{f.name} = {f.default!r}"
            lines.append(f"        {assignment.ljust(width)}  # {f.comment}")
        return "\n".join(lines) + "\n"

    def create_if_missing(self) -> bool:
        """Write the default file unless one exists. Returns True if it was created now."""
        path = self.settings_file()
        if path.exists():
            return False
        try:  # never overwrite: a file that appeared meanwhile stays
            write_atomic(path, self.render_default_file(), overwrite=False)
        except FileExistsError:
            return False
        logger.info("Created settings file with defaults: %s", path)
        return True

    def print_report(self) -> None:
        """Create the file if missing, then print where it is and every resolved value."""
        created = self.create_if_missing()
        print(("Created " if created else "Using existing ") + str(self.settings_file()))
        print(EnvSettings(self).report())

    def load_file_values(self) -> dict[str, str]:
        """The values the local file sets, validated against the known fields."""
        path = self.settings_file()
        self.create_if_missing()
        spec = importlib.util.spec_from_file_location(f"_{self.package}_local_settings", path)
        if spec is None or spec.loader is None:
            raise SettingsFileError(f"Cannot load settings file {path}")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            obj = module.EnvironmentSettings()
        except Exception as exc:  # any failure inside the user's file is reported with its location
            raise SettingsFileError(
                f"The {self.package} settings file {path} could not be loaded "
                f"({type(exc).__name__}: {exc}). Fix the file, or delete it to get a fresh one with "
                f"defaults.") from exc
        values = dict(vars(obj))
        unknown = [k for k in values if k not in self.fields]
        if unknown:
            hints = []
            for k in unknown:
                close = difflib.get_close_matches(k, self.fields, n=1)
                hints.append(f"'{k}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
            raise SettingsFileError(
                f"Unknown setting(s) {', '.join(hints)} in {path}. Known settings: "
                f"{', '.join(self.fields)}.")
        for k, v in values.items():
            if not isinstance(v, (str, os.PathLike)):
                raise SettingsFileError(
                    f"Setting '{k}' in {path} must be a path string, not {type(v).__name__}")
        return {k: os.fspath(v) for k, v in values.items()}


class EnvSettings:
    """Resolved settings: environment variable, else local file, else default.

    Attribute access validates: ``env.lasot_dir`` raises :class:`SettingsPathError` when the path is
    unset (or, for inputs, missing). :meth:`get` returns the raw string without checks.
    """

    def __init__(self, spec: EnvFileSpec) -> None:
        object.__setattr__(self, "_spec", spec)
        spec.warn_unknown_env_vars()
        file_values = spec.load_file_values()
        resolved, sources = {}, {}
        for name, field in spec.fields.items():
            env_value = os.environ.get(spec.env_var(name))
            if env_value is not None:
                resolved[name], sources[name] = env_value, f"environment variable {spec.env_var(name)}"
            elif name in file_values:
                resolved[name], sources[name] = file_values[name], str(spec.settings_file())
            else:
                resolved[name], sources[name] = field.default, "default"
        object.__setattr__(self, "_values", resolved)
        object.__setattr__(self, "_sources", sources)

    @property
    def settings_file(self) -> Path:
        return self._spec.settings_file()

    def fields(self) -> list[str]:
        return list(self._spec.fields)

    def source(self, name: str) -> str:
        """Where the value of ``name`` came from."""
        self._check_name(name)
        return self._sources[name]

    def get(self, name: str) -> str:
        """The raw value ('' when unset), without existence checks."""
        self._check_name(name)
        return self._values[name]

    def is_set(self, name: str) -> bool:
        return self.get(name) != ""

    def _check_name(self, name: str) -> None:
        if name not in self._spec.fields:
            close = difflib.get_close_matches(name, self._spec.fields, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise AttributeError(f"No {self._spec.package} environment setting named '{name}'.{hint}")

    def _how_to_fix(self, name: str) -> str:
        return (f"Edit {self._spec.settings_file()} (self.{name} = '...') or set the environment "
                f"variable {self._spec.env_var(name)}.")

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        self._check_name(name)
        value = self._values[name]
        field = self._spec.fields[name]
        if value == "":
            raise SettingsPathError(
                f"The {self._spec.package} setting '{name}' ({field.comment}) is not set. "
                + self._how_to_fix(name))
        if field.must_exist and not Path(value).expanduser().exists():
            raise SettingsPathError(
                f"The {self._spec.package} setting '{name}' points to '{value}', which does not "
                f"exist (value from {self._sources[name]}). " + self._how_to_fix(name))
        return os.path.expanduser(value)

    def __setattr__(self, name: str, value: str) -> None:
        self._check_name(name)
        self._values[name] = os.fspath(value)
        self._sources[name] = "set at run time"

    def report(self) -> str:
        """A human-readable table of every field, its value and its source."""
        width = max(len(n) for n in self._values)
        rows = [f"{self._spec.package} settings file: {self._spec.settings_file()}"]
        for name, value in self._values.items():
            shown = value if value else "(not set)"
            rows.append(f"  {name.ljust(width)}  {shown}   [{self._sources[name]}]")
        return "\n".join(rows)
