"""Serve the stand-in until Ctrl-C: ``python -m tests.fakesite --port 8765 --hoster-port 8766``."""

from __future__ import annotations

import argparse
import logging
import threading

from tests.fakesite import tls
from tests.fakesite.server import FakeSite

logger = logging.getLogger("tests.fakesite")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start both servers and block until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakesite", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--hoster-port", type=int, default=8766)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    site = FakeSite(args.host, args.port, args.hoster_port).start()
    logger.info("fakesite site=%s hoster=%s", site.url, site.hoster_url)
    logger.info("s.to V2 sto=%s mirror=%s ip=%s", site.sto_url, site.sto_mirror_url,
                site.sto_ip_base)
    logger.info("point the app at it: ANIWORLD_SITE_URL=%s", site.url)
    logger.info("Vidara's media is HTTPS with a test CA: REQUESTS_CA_BUNDLE=%s", tls.ca_bundle())
    logger.info(
        "faults: POST %s/__fakesite/faults  log: GET %s/__fakesite/requests", site.url, site.url
    )
    logger.info('new episode: POST %s/__fakesite/release {"slug": ..., "season": 1}', site.url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        site.stop()


if __name__ == "__main__":
    main()
