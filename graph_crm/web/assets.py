"""The files under ``static/``, served compressed, with an ETag, by path.

A file is read and gzipped once, on its first request, and kept in memory (the console
and GraphiQL are a few megabytes in all). Every answer carries the security headers and
``Cache-Control: no-cache``: the browser keeps its copy and revalidates it with the ETag,
so a refreshed vendored file (same URL, new content) is never served stale.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph_crm.web.headers import SECURITY_HEADERS

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

#: The suffixes served, and their media types; any other file is not found.
MEDIA_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}
#: Already compressed: gzip would only cost time.
PRECOMPRESSED: Final = frozenset({".woff2", ".woff"})


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str

    @classmethod
    def read(cls, path: Path) -> Asset:
        body = path.read_bytes()
        compress = path.suffix not in PRECOMPRESSED
        # mtime=0: the same bytes for the same file, so every worker's answer is alike
        gzipped = gzip.compress(body, compresslevel=9, mtime=0) if compress else None
        return cls(
            body=body,
            gzipped=gzipped,
            etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
            media_type=MEDIA_TYPES[path.suffix],
        )

    def response(self, request: Request) -> Response:
        headers = {
            **SECURITY_HEADERS,
            "ETag": self.etag,
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
        }
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        body = self.body
        if self.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding", "")):
            body = self.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            body = b""
        return Response(body, headers=headers, media_type=self.media_type)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _accepts_gzip(header: str) -> bool:
    for coding in header.split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class Assets:
    """The static folder's files by relative path, read on first use."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self.root = root
        self._cache: dict[str, Asset] = {}

    def get(self, relative: str) -> Asset | None:
        """The asset at ``relative`` (a URL path under the root), or None: a path that
        leaves the root, names a hidden file or an unserved suffix is not found."""
        found = self._cache.get(relative)
        if found is not None:
            return found
        path = self._resolve(relative)
        if path is None:
            return None
        asset = self._cache[relative] = Asset.read(path)
        return asset

    def _resolve(self, relative: str) -> Path | None:
        parts = PurePosixPath(relative).parts
        if (
            not parts
            or "\\" in relative
            or "\x00" in relative
            or any(part.startswith(".") or part == "/" for part in parts)
        ):
            return None
        path = self.root.joinpath(*parts)
        if path.suffix not in MEDIA_TYPES or not path.is_file():
            return None
        if not path.resolve().is_relative_to(self.root.resolve()):
            return None  # a symbolic link out of the folder
        return path


def not_found(request: Request) -> Response:
    return JSONResponse(
        {"error": {"code": "NOT_FOUND", "message": f"{request.url.path}: no such file"}},
        status_code=404,
        headers=SECURITY_HEADERS,
    )
