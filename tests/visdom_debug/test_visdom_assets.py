"""The npm-based installer of visdom's front-end files, with a fake npm (no network)."""
import ast
import importlib.util
import json
import re
import stat
import sys
from pathlib import Path

import pytest

from pytracking.utils.visdom_assets import (ASSETS, PAGE_ASSETS, Asset, AssetInstallError,
                                            install_assets, missing_assets)

FAKE_NPM = '''#!{python}
"""Fake npm: 'pack --silent --pack-destination DIR SPEC...' builds tarballs from a JSON table."""
import io, json, sys, tarfile
from pathlib import Path
table = json.loads(Path({table!r}).read_text())
with open({log!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
args = sys.argv[1:]
assert args[:3] == ["pack", "--silent", "--pack-destination"], args
dest = Path(args[3])
for spec in args[4:]:
    if spec not in table:
        sys.stderr.write("npm error 404 Not Found - " + spec + "\\n")
        sys.exit(1)
    name, version = spec.rsplit("@", 1)
    with tarfile.open(dest / (name + "-" + version + ".tgz"), "w:gz") as tar:
        for member, text in table[spec].items():
            data = text.encode()
            info = tarfile.TarInfo("package/" + member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
'''

TABLE = {"alpha@1.0.0": {"dist/a.min.js": "A-js", "css/a.css": "A-css"},
         "beta@2.1.0": {"lib/b.js": "B-js"}}
SMALL = (Asset("alpha@1.0.0", "dist/a.min.js", "js/a.min.js"),
         Asset("alpha@1.0.0", "css/a.css", "css/a-styles.css"),
         Asset("beta@2.1.0", "lib/b.js", "js/mathjax/x/b.js"))


@pytest.fixture
def fake_npm(tmp_path):
    table = tmp_path / "table.json"
    table.write_text(json.dumps(TABLE))
    log = tmp_path / "npm.log"
    script = tmp_path / "npm"
    script.write_text(FAKE_NPM.format(python=sys.executable, table=str(table), log=str(log)))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def _calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_install_is_complete_and_idempotent(tmp_path, fake_npm):
    npm, log = fake_npm
    static = tmp_path / "static"
    written = install_assets(static, npm=str(npm), assets=SMALL)
    assert sorted(p.relative_to(static).as_posix() for p in written) == sorted(a.dest for a in SMALL)
    assert (static / "js/a.min.js").read_text() == "A-js"
    assert (static / "css/a-styles.css").read_text() == "A-css"
    assert (static / "js/mathjax/x/b.js").read_text() == "B-js"
    assert len(_calls(log)) == 1
    assert install_assets(static, npm=str(npm), assets=SMALL) == []  # nothing missing: no npm
    assert len(_calls(log)) == 1
    (static / "js/mathjax/x/b.js").unlink()
    assert missing_assets(static, SMALL) == [SMALL[2]]
    install_assets(static, npm=str(npm), assets=SMALL)
    assert _calls(log)[-1].split()[4:] == ["beta@2.1.0"]  # only the package that was missing
    (static / "js/a.min.js").write_text("stale")
    install_assets(static, npm=str(npm), assets=SMALL, force=True)
    assert (static / "js/a.min.js").read_text() == "A-js"
    assert not list(static.rglob(".part-*"))


def test_errors_name_the_problem(tmp_path, fake_npm):
    npm, _ = fake_npm
    with pytest.raises(AssetInstallError, match="404.*gamma@9"):
        install_assets(tmp_path / "s1", npm=str(npm),
                       assets=(Asset("gamma@9.0.0", "x.js", "js/x.js"),))
    with pytest.raises(AssetInstallError, match="alpha-1.0.0.tgz has no file.*nope.js"):
        install_assets(tmp_path / "s2", npm=str(npm),
                       assets=(Asset("alpha@1.0.0", "nope.js", "js/x.js"),))
    with pytest.raises(AssetInstallError, match="npm executable .* not found"):
        install_assets(tmp_path / "s3", npm=str(tmp_path / "no-npm"), assets=SMALL)


def _visdom_dir():
    spec = importlib.util.find_spec("visdom")
    if spec is None:
        pytest.skip("visdom is not installed")
    return Path(spec.origin).parent


def test_table_matches_visdoms_own_download_list():
    """Every file visdom's download step writes is in the table, under the same name."""
    source = (_visdom_dir() / "server" / "build.py").read_text()
    tree = ast.parse(source)
    names = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "ext_files":
            names = [v.value for v in node.value.values]
    assert names, "ext_files not found in visdom's build.py"

    def subdir(name):  # visdom's own rule for the sub-folder of each file
        if name.endswith(".js") or name.endswith(".js.map"):
            return "js"
        return "css" if name.endswith(".css") else "fonts"

    dests = {a.dest for a in ASSETS}
    for name in names:
        assert f"{subdir(name)}/{name}" in dests, name
    # the MathJax files, from its list of paths under js/mathjax/2.7.5/
    paths = re.findall(r'"((?:config|extensions|jax)/[^"?]+|MathJax\.js)\?', source)
    assert len(paths) == 8
    for path in paths:
        assert f"js/mathjax/2.7.5/{path}" in dests, path


def test_table_covers_the_page():
    """Every static file index.html loads is shipped with visdom or installed by the table."""
    root = _visdom_dir() / "static"
    wanted = re.findall(r'static_url\(\s*["\']([^"\']+)["\']', (root / "index.html").read_text())
    table = {a.dest for a in ASSETS}
    # visdom's own files (in its wheel): those in static/ that the table does not install
    shipped = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - table
    for name in wanted:
        if name.startswith("../"):
            continue  # served by visdom's /user/ handler
        if name in table:
            assert name in PAGE_ASSETS, name
        else:
            assert name in shipped, name  # visdom's own files (main.js, style.css, ...)
    assert not [n for n in PAGE_ASSETS if n not in wanted]
