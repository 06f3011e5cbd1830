"""Start a visdom server on 127.0.0.1 that works offline: it never downloads anything.

visdom's own entry point (``visdom`` / ``python -m visdom.server``) first runs ``download_scripts``,
which fetches the front end from CDNs. This one starts the same server application directly and
serves the front-end files that ``python -m pytracking.utils.visdom_assets`` installed from npm.
It listens on the loopback interface only; reach it from another machine through an SSH tunnel::

    python -m pytracking.utils.visdom_server --port 8097          # on the tracking machine
    ssh -L 8097:localhost:8097 user@tracking-machine               # on your machine
    # then open http://localhost:8097 in your browser
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Optional, Sequence

from pytracking.utils.visdom_assets import INSTALL_COMMAND, PAGE_ASSETS, missing_assets, visdom_static_dir

logger = logging.getLogger(__name__)

DEFAULT_PORT = 8097
DEFAULT_ENV_PATH = Path.home() / ".visdom"


def check_front_end() -> list[str]:
    """The front-end files the page needs that are missing (relative to visdom's static folder)."""
    static = visdom_static_dir()
    return [a.dest for a in missing_assets(static) if a.dest in PAGE_ASSETS]


def _configure_visdom_app() -> None:
    """Adjust visdom's tornado settings (a module-level dict its Application reads) for this server.

    - visdom 0.2.4's index.html asks for ``static_url("../user/style.css")``; tornado >= 6.6 raises a
      403 for any static path outside the static folder while computing its version hash, so the
      page itself fails. A static handler that gives such a path no version hash restores the URL
      (``/static/../user/style.css``, which browsers resolve to visdom's ``/user/`` handler);
      requests for files outside the static folder are still refused when served.
    - visdom runs tornado in debug mode, which would restart the server whenever a Python file it
      imported changes; autoreload is switched off.
    """
    import tornado.web
    from visdom.server import app as visdom_app

    class _StaticHandler(tornado.web.StaticFileHandler):
        @classmethod
        def get_version(cls, settings, path):
            try:
                return super().get_version(settings, path)
            except tornado.web.HTTPError:
                return None

    visdom_app.tornado_settings["static_handler_class"] = _StaticHandler
    visdom_app.tornado_settings["autoreload"] = False


def serve(port: int = DEFAULT_PORT, env_path: Path = DEFAULT_ENV_PATH,
          readonly: bool = False) -> None:
    """Run the visdom server on ``127.0.0.1:port`` until interrupted (blocks)."""
    from visdom.server.run_server import start_server  # visdom is an optional dependency

    if not 0 < port < 65536:
        raise ValueError(f"--port {port} is not a valid TCP port")
    missing = check_front_end()
    if missing:
        logger.warning("%d visdom front-end files are missing (e.g. %s): the page will be blank. "
                       "Install them once with: %s", len(missing), missing[0], INSTALL_COMMAND)
    Path(env_path).mkdir(parents=True, exist_ok=True)
    _configure_visdom_app()
    # start_server builds visdom's tornado application and serves it; unlike visdom's own main()
    # it does not call download_scripts().
    # base_url "" is what visdom's main() passes for the default "/" (it would give "//static" URLs)
    start_server(port=port, hostname="localhost", base_url="", env_path=str(env_path) + "/",
                 readonly=readonly, bind_local=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.utils.visdom_server",
                                     description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--env_path", default=str(DEFAULT_ENV_PATH),
                        help=f"folder where visdom keeps its environments (default {DEFAULT_ENV_PATH})")
    parser.add_argument("--readonly", action="store_true", help="serve in read-only mode")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        serve(args.port, Path(args.env_path), args.readonly)
    except KeyboardInterrupt:
        return 0
    except ModuleNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
