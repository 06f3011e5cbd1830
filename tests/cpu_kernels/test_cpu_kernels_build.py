"""The CPU kernels' build command's exit codes and messages (the build itself is run by install.sh)."""
from prroi_pool.build import BuildError
from pytracking.libs.cpu_kernels import build


def test_build_failure_exits_non_zero_with_message(monkeypatch, capsys):
    def fail():
        raise BuildError("building pytracking.libs.cpu_kernels cpu kernel failed: error: command 'c++' failed")

    monkeypatch.setattr(build, "build_cpu", fail)
    assert build.main([]) == 1
    assert "cpu_kernels: ERROR: building pytracking.libs.cpu_kernels cpu kernel failed" in capsys.readouterr().err


def test_successful_build_reports_it(monkeypatch, capsys):
    built = []
    monkeypatch.setattr(build, "build_cpu", lambda: built.append("cpu"))
    assert build.main([]) == 0
    assert built == ["cpu"] and "C++ CPU kernels built" in capsys.readouterr().out
