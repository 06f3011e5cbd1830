"""Install visdom's front-end files (JavaScript, CSS, fonts) from the npm registry.

visdom's server downloads these files from CDNs (unpkg, cdn.plot.ly, d3js.org, cdnjs) the first time
it starts; on a machine without internet its page stays blank. This installer takes the same files,
in the same versions and under the same names, from npm packages (``npm pack``, so only the npm
registry has to be reachable, and only at install time) and puts them in visdom's ``static`` folder.
It is idempotent: files already in place are kept, and npm is not called when nothing is missing.

Usage (from the repository root)::

    python -m pytracking.utils.visdom_assets            # install what is missing
    python -m pytracking.utils.visdom_assets --check    # exit 1 and list the missing files
    python -m pytracking.utils.visdom_assets --force    # replace every file
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from ltr.admin.atomic_file import write_atomic

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asset:
    """One front-end file: ``member`` of npm package ``spec`` goes to ``static/<dest>``."""

    spec: str  # npm package@version
    member: str  # path inside the package folder of the tarball
    dest: str  # path relative to visdom's static folder


_MATHJAX = "mathjax@2.7.5"
_MATHJAX_DIR = "js/mathjax/2.7.5"
_BOOTSTRAP = "bootstrap@3.3.7"
_GLYPHS = "glyphicons-halflings-regular"

# The list of visdom 0.2.4's server/build.py (download_scripts), with the npm package holding each
# file. The CDN copies of plotly 2.11.1 and d3 v3 are plotly.js-dist-min@2.11.1 and d3@3.5.17 (the
# last v3 release, which d3js.org/d3.v3.min.js serves); d3js.org's d3-selection-multi.v1.js is the
# build of d3-selection-multi@1.0.1; unpkg's "classnames@2.2.5" resolves to the package main file.
ASSETS: tuple[Asset, ...] = (
    Asset("jquery@3.1.1", "dist/jquery.min.js", "js/jquery.min.js"),
    Asset(_BOOTSTRAP, "dist/js/bootstrap.min.js", "js/bootstrap.min.js"),
    Asset("react@16.2.0", "umd/react.production.min.js", "js/react-react.min.js"),
    Asset("react-dom@16.2.0", "umd/react-dom.production.min.js", "js/react-dom.min.js"),
    Asset("react-modal@3.1.10", "dist/react-modal.min.js", "js/react-modal.min.js"),
    Asset("plotly.js-dist-min@2.11.1", "plotly.min.js", "js/plotly-plotly.min.js"),
    Asset("sjcl@1.0.7", "sjcl.js", "js/sjcl.js"),
    Asset("layout-bin-packer@1.4.0", "dist/layout-bin-packer.js.map", "js/layout-bin-packer.js.map"),
    Asset("layout-bin-packer@1.4.0", "dist/layout-bin-packer.js", "js/layout_bin_packer.js"),
    Asset("d3@3.5.17", "d3.min.js", "js/d3.v3.min.js"),
    Asset("d3-selection-multi@1.0.1", "build/d3-selection-multi.js", "js/d3-selection-multi.v1.js"),
    Asset("save-svg-as-png@1.4.17", "lib/saveSvgAsPng.js", "js/saveSvgAsPng.js"),
    Asset("react-resizable@1.4.6", "css/styles.css", "css/react-resizable-styles.css"),
    Asset("react-grid-layout@0.16.3", "css/styles.css", "css/react-grid-layout-styles.css"),
    Asset(_BOOTSTRAP, "dist/css/bootstrap.min.css", "css/bootstrap.min.css"),
    Asset("classnames@2.2.5", "index.js", "fonts/classnames"),
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.eot", f"fonts/{_GLYPHS}.eot"),
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.woff2", f"fonts/{_GLYPHS}.woff2"),
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.woff", f"fonts/{_GLYPHS}.woff"),
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.ttf", f"fonts/{_GLYPHS}.ttf"),
    # What bootstrap.min.css requests (the '#...' part of its URL is a fragment) ...
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.svg", f"fonts/{_GLYPHS}.svg"),
    # ... and the literal name visdom's download step writes, so that visdom's own start-up check
    # finds every file present and never tries to download.
    Asset(_BOOTSTRAP, f"dist/fonts/{_GLYPHS}.svg",
          f"fonts/{_GLYPHS}.svg#glyphicons_halflingsregular"),
    Asset(_MATHJAX, "MathJax.js", f"{_MATHJAX_DIR}/MathJax.js"),
    Asset(_MATHJAX, "config/Safe.js", f"{_MATHJAX_DIR}/config/Safe.js"),
    Asset(_MATHJAX, "config/TeX-AMS-MML_HTMLorMML.js",
          f"{_MATHJAX_DIR}/config/TeX-AMS-MML_HTMLorMML.js"),
    Asset(_MATHJAX, "extensions/Safe.js", f"{_MATHJAX_DIR}/extensions/Safe.js"),
    Asset(_MATHJAX, "jax/output/SVG/fonts/TeX/fontdata.js",
          f"{_MATHJAX_DIR}/jax/output/SVG/fonts/TeX/fontdata.js"),
    Asset(_MATHJAX, "jax/output/SVG/jax.js", f"{_MATHJAX_DIR}/jax/output/SVG/jax.js"),
    Asset(_MATHJAX, "jax/output/SVG/fonts/TeX/Size1/Regular/Main.js",
          f"{_MATHJAX_DIR}/jax/output/SVG/fonts/TeX/Size1/Regular/Main.js"),
    Asset(_MATHJAX, "jax/output/SVG/config.js", f"{_MATHJAX_DIR}/jax/output/SVG/config.js"),
)

# The files the page itself loads from index.html; without them it renders nothing.
PAGE_ASSETS: tuple[str, ...] = (
    "css/bootstrap.min.css", "js/jquery.min.js", "js/bootstrap.min.js",
    "css/react-resizable-styles.css", "css/react-grid-layout-styles.css", "js/react-react.min.js",
    "js/react-dom.min.js", "js/layout_bin_packer.js", f"{_MATHJAX_DIR}/MathJax.js",
    f"{_MATHJAX_DIR}/config/TeX-AMS-MML_HTMLorMML.js", "js/plotly-plotly.min.js",
    "js/d3.v3.min.js", "js/d3-selection-multi.v1.js", "js/saveSvgAsPng.js",
)

INSTALL_COMMAND = "python -m pytracking.utils.visdom_assets"


class AssetInstallError(RuntimeError):
    """npm failed, or a package lacks a file the asset table names."""


def visdom_static_dir() -> Path:
    """visdom's ``static`` folder (where its server serves the front end from)."""
    spec = importlib.util.find_spec("visdom")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("visdom is not installed (pip install visdom)")
    return Path(spec.origin).parent / "static"


def missing_assets(static_dir: Optional[Path] = None,
                   assets: Sequence[Asset] = ASSETS) -> list[Asset]:
    """The assets that are absent (or empty) under ``static_dir`` (default: visdom's)."""
    root = Path(static_dir) if static_dir is not None else visdom_static_dir()
    return [a for a in assets if not _present(root / a.dest)]


def _present(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _npm_pack(specs: Iterable[str], dest: Path, npm: str) -> None:
    """Download the tarballs of ``specs`` into ``dest`` with ``npm pack``."""
    cmd = [npm, "pack", "--silent", "--pack-destination", str(dest), *specs]
    logger.info("Fetching %s", " ".join(specs))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise AssetInstallError(f"npm executable '{npm}' not found; install Node.js/npm "
                                f"(apt-get install npm) and run {INSTALL_COMMAND} again") from exc
    if proc.returncode != 0:
        raise AssetInstallError(f"'{' '.join(cmd)}' failed (exit {proc.returncode}): "
                                f"{proc.stderr.strip()[-2000:]}")


def _tarball_name(spec: str) -> str:
    """npm pack's file name for ``name@version`` (scoped names drop '@' and turn '/' into '-')."""
    name, version = spec.rsplit("@", 1)
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def _extract_members(tarball: Path, members: Iterable[str]) -> dict[str, bytes]:
    """The bytes of each ``<top folder>/<member>`` in an npm tarball (read in one pass)."""
    wanted = set(members)
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        # npm tarballs hold one top folder, usually 'package/' (a few packages use another name)
        for info in tar:
            parts = info.name.split("/", 1)
            if len(parts) == 2 and parts[1] in wanted and info.isfile():
                data = tar.extractfile(info)
                if data is not None:
                    found[parts[1]] = data.read()
    absent = sorted(wanted - found.keys())
    if absent:
        raise AssetInstallError(f"{tarball.name} has no file(s) {absent} (asset table in {__file__})")
    return found


def install_assets(static_dir: Optional[Path] = None, force: bool = False, npm: str = "npm",
                   assets: Sequence[Asset] = ASSETS) -> list[Path]:
    """Put the missing front-end files (all with ``force``) in place; returns the files written.

    Only the npm packages that hold a missing file are fetched. Every file is written atomically,
    so an interrupted install leaves either the old state or the complete file.
    """
    root = Path(static_dir) if static_dir is not None else visdom_static_dir()
    todo = list(assets) if force else missing_assets(root, assets)
    if not todo:
        logger.info("visdom front-end files are all in place in %s", root)
        return []
    specs = sorted({a.spec for a in todo})
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="visdom-assets-") as tmp:
        _npm_pack(specs, Path(tmp), npm)
        for spec in specs:
            tarball = Path(tmp) / _tarball_name(spec)
            if not tarball.is_file():
                raise AssetInstallError(f"npm pack did not produce {tarball.name} for {spec}")
            group = [a for a in todo if a.spec == spec]
            contents = _extract_members(tarball, [a.member for a in group])
            for asset in group:
                target = root / asset.dest
                write_atomic(target, contents[asset.member])
                written.append(target)
    _mark_built(root)
    logger.info("Installed %d visdom front-end files into %s", len(written), root)
    return written


def _mark_built(root: Path) -> None:
    """Write visdom's ``version.built`` marker so its own start-up check treats the files as built."""
    try:
        import visdom
    except ImportError:
        return
    write_atomic(root / "version.built", str(visdom.__version__).encode())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.utils.visdom_assets",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--static-dir", default=None,
                        help="target folder (default: the static folder of the installed visdom)")
    parser.add_argument("--force", action="store_true", help="replace files already in place")
    parser.add_argument("--check", action="store_true",
                        help="only report missing files (exit 1 when some are missing)")
    parser.add_argument("--npm", default="npm", help="npm executable (default: npm)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        static_dir = Path(args.static_dir) if args.static_dir else visdom_static_dir()
    except ModuleNotFoundError as exc:
        print(f"error: {exc}; or give --static-dir", file=sys.stderr)
        return 1
    if args.check:
        missing = missing_assets(static_dir)
        for asset in missing:
            print(f"missing: {static_dir / asset.dest}  (from {asset.spec})")
        print(f"{len(ASSETS) - len(missing)}/{len(ASSETS)} visdom front-end files present "
              f"in {static_dir}")
        return 1 if missing else 0
    try:
        written = install_assets(static_dir, force=args.force, npm=args.npm)
    except AssetInstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{len(written)} files written; {len(ASSETS)} visdom front-end files in place "
          f"in {static_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
