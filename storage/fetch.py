"""Downloading an HTTP(S) import source to a local file, safely.

A download has a time limit (per read and overall), a size limit, and an
allowed content type; it is written to a temporary file that is removed on any
failure, so nothing of a partial download is ever imported.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-gtar",
        "application/octet-stream",
        "application/xml",
        "text/xml",
        "text/plain",
    }
)
CHUNK = 64 * 1024
USER_AGENT = "hansard-bot (+https://github.com/) importer"


class FetchError(Exception):
    """A source that could not be downloaded; the message says why, for the operator."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        # The HTTP status that refused it, if one did (404: not there).
        self.status = status


def _file_name(url: str) -> str:
    """A local name that keeps the suffix the importer uses to recognise archives."""
    name = Path(urllib.parse.urlparse(url).path).name or "download"
    for suffix in (".tar.gz", ".tgz", ".zip", ".tar", ".xml", ".txt"):
        if name.lower().endswith(suffix):
            return name
    return name + ".txt"


def download(url: str, folder: Path, *, timeout: float = 30.0, max_bytes: int = 512 * 1024 * 1024) -> Path:
    """Fetch ``url`` into ``folder``; raises FetchError, leaving nothing behind, on any problem."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(f"not an http(s) URL: {url}")
    target = folder / _file_name(url)
    partial = target.with_name(target.name + ".part")
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = (response.headers.get_content_type() or "").lower()
            if content_type not in ALLOWED_CONTENT_TYPES:
                raise FetchError(f"{url}: unexpected content type {content_type!r}")
            length = response.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {int(length):,} bytes is over the {max_bytes:,}-byte limit")
            received = 0
            with open(partial, "wb") as out:
                while chunk := response.read(CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchError(f"{url}: more than the {max_bytes:,}-byte limit")
                    if time.monotonic() > deadline:
                        raise FetchError(f"{url}: timed out after {timeout:g} s")
                    out.write(chunk)
            if length is not None and length.isdigit() and received != int(length):
                raise FetchError(f"{url}: download ended after {received:,} of {int(length):,} bytes")
    except FetchError:
        partial.unlink(missing_ok=True)
        raise
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}", status=exc.code) from None
    except TimeoutError:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: timed out after {timeout:g} s without data") from None
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: {reason}") from None
    partial.replace(target)
    return target
