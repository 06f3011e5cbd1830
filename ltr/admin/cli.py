"""What every command-line entry point does with expected user errors.

A mistake the user can fix (an unknown tracker, parameter set, dataset or training-settings name; a
path setting that is unset or wrong; a misspelled or malformed ``key=value`` override; results or
data files that are missing or malformed) is printed as one ``error: ...`` line that says what is
wrong and how to fix it, and the program exits with status 2. ``--verbose`` shows the traceback as
well. Anything else is a bug and keeps its traceback.

Usage in a script::

    def main(argv=None) -> int:
        parser = argparse.ArgumentParser(...)
        add_verbose_argument(parser)
        ...

    if __name__ == "__main__":
        run_main(main)
"""
from __future__ import annotations

import argparse
import sys
import traceback
from typing import Callable, NoReturn, Optional, Sequence

from ltr.admin.env_file import SettingsPathError

EXIT_USER_ERROR = 2
VERBOSE_FLAG = "--verbose"


class UserError(Exception):
    """A mistake of the user; the message says what is wrong and how to fix it."""


class UnknownNameError(UserError, ValueError):
    """A tracker, parameter set, dataset or training setting that does not exist."""


class InvalidValueError(UserError, ValueError):
    """A value the user gave (e.g. an initial box) that the program cannot use."""


class InputFileError(UserError, OSError):
    """An input file or folder named on the command line that cannot be read."""


class MissingFileError(UserError, FileNotFoundError):
    """A file or folder the user has to provide (weights, datasets) is not where it should be."""


class MissingPathsError(UserError, SettingsPathError):
    """Path settings that are unset or point nowhere (all of those a task needs, at once)."""


def require_paths(env, names: Sequence[str], alternative: Optional[str] = None) -> None:
    """Check the path settings ``names`` of ``env`` (an ``EnvSettings``) all at once: one
    :class:`MissingPathsError` listing every one that is unset or wrong, with ``alternative``
    (e.g. the instant training setting that needs none of them)."""
    problems = []
    for name in names:
        try:
            getattr(env, name)
        except SettingsPathError as exc:
            problems.append(str(exc))
    if problems:
        message = (f"{len(problems)} path setting{'s' if len(problems) > 1 else ''} needed here "
                   f"{'are' if len(problems) > 1 else 'is'} not usable:\n  - "
                   + "\n  - ".join(problems))
        if alternative:
            message += f"\nTo try it without these files: {alternative}"
        raise MissingPathsError(message)


def user_error_types() -> tuple[type[BaseException], ...]:
    """The exception types that are the user's to fix (imported late: no import cycles)."""
    from ltr.admin.env_file import SettingsFileError, SettingsPathError
    from ltr.dataset.errors import AnnotationError, DatasetLayoutError, SplitFileError
    from pytracking.evaluation.data import DatasetLayoutError as BenchmarkLayoutError
    from pytracking.evaluation.results import ResultFileError
    from pytracking.utils.params import ParameterError

    return (UserError, SettingsPathError, SettingsFileError, ParameterError, ResultFileError,
            BenchmarkLayoutError, DatasetLayoutError, SplitFileError, AnnotationError)


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, user_error_types())


def add_verbose_argument(parser: argparse.ArgumentParser) -> None:
    """``--verbose``: show the traceback of an error as well as its message."""
    parser.add_argument(VERBOSE_FLAG, action="store_true",
                        help="on an error, show the full traceback as well as the message")


def report_user_error(exc: BaseException, verbose: bool = False) -> int:
    """Print ``exc`` as one ``error:`` message (with the traceback when ``verbose``); the exit
    status of a user error."""
    if verbose:
        traceback.print_exception(exc)
    print(f"error: {str(exc) or type(exc).__name__}", file=sys.stderr)
    return EXIT_USER_ERROR


def call_main(main: Callable[[Optional[list[str]]], Optional[int]],
              argv: Optional[Sequence[str]] = None) -> int:
    """``main(argv)``'s exit status; a user error is reported (:func:`report_user_error`) as 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        status = main(args)
    except Exception as exc:  # noqa: BLE001 - only user errors are handled, the rest re-raised
        if not is_user_error(exc):
            raise
        return report_user_error(exc, verbose=VERBOSE_FLAG in args)
    return int(status or 0)


def run_main(main: Callable[[Optional[list[str]]], Optional[int]],
             argv: Optional[Sequence[str]] = None) -> NoReturn:
    """Run a script's ``main`` and exit with its status (see :func:`call_main`)."""
    sys.exit(call_main(main, argv))


def environment_main(spec, module: str, argv: Optional[Sequence[str]] = None) -> int:
    """The command line of an environment-settings module (``python -m <module>``): create the
    local settings file when missing and print every setting with the source of its value."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=f"Create the {spec.package} settings file {spec.settings_file()} with defaults "
                    "if it is missing (an existing file is never changed), then print every path "
                    "setting, its value and where the value comes from.",
        epilog=f"Edit the file to set paths, or override one per run with the environment variable "
               f"{spec.env_prefix}_<FIELD> (upper case), e.g. {spec.env_var(next(iter(spec.fields)))}"
               f"=/data/...; {spec.file_override_var} selects another settings file.")
    add_verbose_argument(parser)
    parser.parse_args(argv)
    spec.print_report()
    return 0
