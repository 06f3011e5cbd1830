"""Settings of one training run.

``run_training.py`` creates a :class:`Settings`, fills in which train-settings module runs
(``module_name``, ``script_name``, ``project_path``), and hands it to that module's ``run(settings)``,
which adds its own free fields (``batch_size``, ``normalize_mean``, ...). The trainer reads the
fields declared in :data:`DEFAULTS`.

Misspelled names: a train-settings module may set any new field, so names cannot all be known in
advance. Two checks catch the common mistakes:

* setting a *new* name that is a near-miss of a declared field (``settings.print_intervall = 5``,
  ``settings.batchsize = 64``) raises :class:`AttributeError` naming the declared field;
* reading a field that was never set raises :class:`AttributeError` listing the closest names.

The object is pickled into training checkpoints (``settings``). The machine's environment settings
(``env``) are stored as a plain :class:`EnvironmentRecord` of path strings, which is also the class
used to read the ``env`` of checkpoints written by the original project.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

import torch

from ltr.admin.cli import UnknownNameError
from ltr.admin.environment import env_settings
from ltr.admin.pickled_state import validated_state
from ltr.admin.value_range import check_range

#: Fields the framework itself reads, with their default values.
DEFAULTS: dict[str, Any] = {
    "use_gpu": True,            # use a GPU when one is available
    "device": None,             # torch.device to train on; None: cuda:0 if available and use_gpu
    "module_name": "",          # train-settings module, e.g. 'bbreg'
    "script_name": "",          # train-settings script, e.g. 'atom'
    "project_path": "",         # relative path for checkpoints/tensorboard, e.g. 'ltr/bbreg/atom'
    "description": "",          # one line shown in tensorboard
    "print_interval": 10,       # iterations between progress lines
    "print_stats": None,        # names of the stats to print (None: all)
    "multi_gpu": False,         # wrap the net for data-parallel training
    "move_data_to_gpu": True,   # move each batch to the training device
    "max_restarts": 10,         # fail-safe training: how often to resume after a crash
    "rank": 0,                  # distributed training: global rank of this process
    "world_size": 1,            # distributed training: number of processes
    "local_rank": 0,            # distributed training: rank on this node (GPU index)
    "ddp_find_unused_parameters": False,  # DistributedDataParallel's find_unused_parameters
    "use_visdom": False,        # also send the per-epoch loss curves to a visdom server
    "visdom_server": "127.0.0.1",  # visdom server host (python -m pytracking.utils.visdom_server)
    "visdom_port": 8097,        # visdom server port
}

#: Allowed values of the numeric fields (checked when set, see :mod:`ltr.admin.value_range`).
RANGES: dict[str, str] = {
    "print_interval": ">= 1", "max_restarts": ">= 0", "rank": ">= 0", "world_size": ">= 1",
    "local_rank": ">= 0", "visdom_port": "[1, 65535]",
}

_NEAR_MISS_CUTOFF = 0.8


class EnvironmentRecord:
    """The environment paths of a run as plain attributes (what a checkpoint stores as ``env``)."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        values = validated_state(values or {}, "EnvironmentRecord", value_types=(str, type(None)))
        for name, value in values.items():
            setattr(self, name, value)

    def __setstate__(self, state: Any) -> None:
        self.__dict__.update(validated_state(state, "EnvironmentRecord",
                                             value_types=(str, type(None))))

    def __repr__(self) -> str:
        return f"EnvironmentRecord({vars(self)!r})"


class Settings:
    """Free-form settings of a training run with declared defaults (see the module docstring)."""

    def __init__(self) -> None:
        self.set_default()

    def set_default(self) -> None:
        """Set ``env`` to the current environment settings and every declared field to its default."""
        object.__setattr__(self, "env", env_settings())
        for name, value in DEFAULTS.items():
            object.__setattr__(self, name, value)

    def set_overrides(self, overrides: Mapping[str, Any]) -> None:
        """Values given on the command line (``key=value``): they win over what the train-settings
        module sets. :meth:`check_overrides` (called when the trainer is built) rejects a name
        that the module neither set nor took with :meth:`take_overrides`."""
        object.__setattr__(self, "_overrides", dict(overrides))
        object.__setattr__(self, "_overrides_used", set())
        for name, value in overrides.items():
            object.__setattr__(self, name, value)

    def take_overrides(self, names: Iterable[str]) -> dict[str, Any]:
        """The command-line overrides among ``names`` (e.g. the fields of a module's own config
        dataclass), marked as used."""
        overrides = self.__dict__.get("_overrides") or {}
        taken = {name: overrides[name] for name in names if name in overrides}
        if taken:
            self.__dict__.setdefault("_overrides_used", set()).update(taken)
        return taken

    def check_overrides(self) -> None:
        """:class:`UnknownNameError` for command-line overrides that name no setting of the run."""
        overrides = self.__dict__.get("_overrides") or {}
        if not overrides:
            return
        used = self.__dict__.get("_overrides_used", set())
        unknown = sorted(set(overrides) - used - set(DEFAULTS))
        if unknown:
            known = sorted(n for n in self.__dict__
                           if not n.startswith("_") and n != "env" and n not in unknown)
            close = {n: difflib.get_close_matches(n, known, n=1) for n in unknown}
            hints = "".join(f" Did you mean '{c[0]}' for '{n}'?" for n, c in close.items() if c)
            raise UnknownNameError(
                f"Unknown training setting{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(unknown)} for {self.module_name} {self.script_name}.{hints} Its "
                f"settings: {', '.join(known)}")

    def _overridden(self, name: str, value: Any) -> Any:
        overrides = self.__dict__.get("_overrides")
        if overrides and name in overrides:
            self.__dict__.setdefault("_overrides_used", set()).add(name)
            return overrides[name]
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        value = self._overridden(name, value)
        if name not in self.__dict__ and name not in DEFAULTS:
            close = difflib.get_close_matches(name, DEFAULTS, n=1, cutoff=_NEAR_MISS_CUTOFF)
            if close:
                raise AttributeError(
                    f"Settings field '{name}' looks like a misspelling of '{close[0]}'; set "
                    f"'{close[0]}' instead (or use settings.add_field('{name}', value) if the new "
                    f"name is intended).")
        if name in RANGES:
            check_range(value, RANGES[name], f"Training setting '{name}'")
        object.__setattr__(self, name, value)

    def add_field(self, name: str, value: Any) -> None:
        """Set a field without the misspelling check (ranges are still checked)."""
        value = self._overridden(name, value)
        if name in RANGES:
            check_range(value, RANGES[name], f"Training setting '{name}'")
        object.__setattr__(self, name, value)

    def add_fields(self, defaults: dict[str, Any], overrides: dict[str, Any] | None, what: str) -> None:
        """Set every field of ``defaults``, or its value in ``overrides``; an override that is not
        one of the defaults raises ValueError naming ``what`` (e.g. 'SiamFC training settings')."""
        unknown = sorted(set(overrides or {}) - set(defaults))
        if unknown:
            raise ValueError(f"Unknown {what} {unknown}; known: {sorted(defaults)}")
        for name, value in dict(defaults, **(overrides or {})).items():
            self.add_field(name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, i.e. the field was never set.
        if name.startswith("__"):
            raise AttributeError(name)
        close = difflib.get_close_matches(name, list(self.__dict__), n=3)
        hint = f" Closest fields: {', '.join(close)}." if close else ""
        raise AttributeError(f"Settings has no field '{name}'.{hint}")

    def fields(self) -> dict[str, Any]:
        """All fields and their values (env included)."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def report(self) -> str:
        """Human-readable listing of every field; the environment paths come last."""
        items = {k: v for k, v in self.__dict__.items() if k != "env" and not k.startswith("_")}
        width = max((len(k) for k in items), default=0)
        rows = ["Training settings:"]
        rows += [f"  {k.ljust(width)}  {v!r}" for k, v in items.items()]
        if self.__dict__.get("_overrides"):
            rows.append(f"  (from the command line: {self.__dict__['_overrides']!r})")
        env = self.__dict__.get("env")
        if hasattr(env, "report"):
            rows.append(env.report())
        elif env is not None:
            rows.append(f"  env  {env!r}")
        return "\n".join(rows)

    # -------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_overrides_used", None)  # bookkeeping of this process (the overrides stay)
        env = state.get("env")
        if env is not None and not isinstance(env, EnvironmentRecord):
            state["env"] = EnvironmentRecord(_environment_values(env))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(validated_state(state, "Settings"))


def _environment_values(env: Any) -> dict[str, str]:
    """The raw path strings of an environment settings object (unset fields as '')."""
    if hasattr(env, "fields") and hasattr(env, "get"):
        return {name: env.get(name) for name in env.fields()}
    return {k: v for k, v in vars(env).items() if isinstance(v, str)}


def default_device(settings: Settings) -> torch.device:
    """``settings.device`` if set, else cuda:0 when available and ``use_gpu``, else the CPU."""
    device = getattr(settings, "device", None)
    if device is not None:
        return torch.device(device)
    use_gpu = getattr(settings, "use_gpu", True)
    return torch.device("cuda:0" if use_gpu and torch.cuda.is_available() else "cpu")
