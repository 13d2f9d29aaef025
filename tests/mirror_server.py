"""A TheyWorkForYou mirror served over HTTP on 127.0.0.1, counting requests and failing on demand."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from tests.conftest import DATA

# TheyWorkForYou's own fixtures: series folders, two of them with changedates.txt.
SCRAPED = DATA / "twfy_uml_2009" / "scrapedxml"


def published(folder: Path) -> list[str]:
    """The files of a series folder in the order its changedates.txt lists them."""
    return [line.split(",")[1] for line in (folder / "changedates.txt").read_text().split()]


@dataclass
class MirrorServer:
    """A folder served over HTTP on 127.0.0.1, counting requests, and failing on demand."""

    root: Path
    requests: list[str] = field(default_factory=list)
    # Paths answered with 503 while listed here.
    failing: set[str] = field(default_factory=set)
    url: str = ""

    def xml_requests(self) -> list[str]:
        return [path.rpartition("/")[2] for path in self.requests if path.endswith(".xml")]


@contextlib.contextmanager
def serve_mirror(source: Path, root: Path) -> Iterator[MirrorServer]:
    """A copy of ``source`` at ``root`` (tests may change it), served on 127.0.0.1."""
    shutil.copytree(source, root)
    state = MirrorServer(root)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if self.path in state.failing:
                self.send_error(503, "Service Unavailable")
                return
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
