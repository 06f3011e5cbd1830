"""The build command's decisions and exit codes (the build itself is run by install.sh)."""
import pytest
import torch

from prroi_pool import build


def test_build_failure_exits_non_zero_with_message(monkeypatch, capsys):
    def fail():
        raise build.BuildError("building prroi_pool cpu kernel failed: error: command 'c++' failed")

    monkeypatch.setattr(build, "build_cpu", fail)
    assert build.main([]) == 1
    err = capsys.readouterr().err
    assert "prroi_pool: ERROR: building prroi_pool cpu kernel failed" in err


def test_cpu_only_skips_cuda_with_reason(monkeypatch, capsys):
    built = []
    monkeypatch.setattr(build, "build_cpu", lambda: built.append("cpu"))
    monkeypatch.setattr(build, "build_cuda", lambda: built.append("cuda"))
    assert build.main(["--cpu-only"]) == 0
    assert built == ["cpu"]
    assert "CUDA kernel not built: --cpu-only was given" in capsys.readouterr().out


@pytest.mark.skipif(torch.version.cuda is not None, reason="torch has CUDA here")
def test_cuda_build_is_skipped_for_cpu_torch(monkeypatch, capsys):
    assert "built without CUDA" in build.cuda_unavailable_reason()
    built = []
    monkeypatch.setattr(build, "build_cpu", lambda: built.append("cpu"))
    monkeypatch.setattr(build, "build_cuda", lambda: built.append("cuda"))
    assert build.main([]) == 0
    assert built == ["cpu"]
