"""Refresh the console's vendored front-end libraries from the npm registry (no Node).

    python tools/refresh_web_vendor.py           download the pinned tarballs, check them,
                                                 write the files and VENDOR.md
    python tools/refresh_web_vendor.py --check   only check the committed files against
                                                 VENDOR.md (offline; a test does the same)

Each package is pinned by version *and* by the sha256 of its registry tarball: a tarball
that does not match is refused, nothing is written. To move to a new version, change its
``version`` and ``tarball_sha256`` below (the script prints the sha256 it found when they
differ), run it, look at the diff, and run the browser tests.

GraphiQL's stylesheet carries its fonts as ``data:`` URLs; they are written out as files
beside it, so the GraphiQL page keeps the console's strict Content-Security-Policy (fonts
from 'self' only).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import re
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parents[1]
STATIC: Final = REPO / "graph_crm" / "web" / "static" / "vendor"
#: axe-core is used by the browser tests only: it stays out of the package (and the wheel).
TEST_VENDOR: Final = REPO / "tests" / "browser" / "vendor"
VENDOR_MD: Final = STATIC / "VENDOR.md"
REGISTRY: Final = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    licence: str
    tarball_sha256: str
    #: path inside the tarball (under package/) -> where it goes, relative to the repository
    files: dict[str, Path]

    @property
    def tarball_url(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.name}/-/{base}-{self.version}.tgz"


PINS: Final = (
    Pin("react", "18.3.1", "MIT",
        "8d9bed01a672e7eaf387942d781ad47c6a43089a30a0306060f9fd5ac7870347",
        {"umd/react.production.min.js": STATIC / "react/react.production.min.js",
         "LICENSE": STATIC / "react/LICENSE"}),
    Pin("react-dom", "18.3.1", "MIT",
        "031d4427a99f2f3f6cac18bbbf308594a67e4f47d10f4896fdec446505b040e0",
        {"umd/react-dom.production.min.js": STATIC / "react-dom/react-dom.production.min.js",
         "LICENSE": STATIC / "react-dom/LICENSE"}),
    # 4.x is the last major with a UMD build (5.x is ESM + Monaco, made for bundlers)
    Pin("graphiql", "4.1.2", "MIT",
        "6aa9cb6d82e656d38b72991264f41545889881e8dc23059199be3b94fff2ad05",
        {"graphiql.min.js": STATIC / "graphiql/graphiql.min.js",
         "graphiql.min.css": STATIC / "graphiql/graphiql.min.css",
         "LICENSE": STATIC / "graphiql/LICENSE"}),
    Pin("cytoscape", "3.35.0", "MIT",
        "058a81a7534777ea68dc737e9b77bd5b701e00acd9bee246245a576eeeac32e6",
        {"dist/cytoscape.esm.min.mjs": STATIC / "cytoscape/cytoscape.esm.min.mjs",
         "LICENSE": STATIC / "cytoscape/LICENSE"}),
    Pin("axe-core", "4.14.1", "MPL-2.0",
        "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745",
        {"axe.min.js": TEST_VENDOR / "axe-core/axe.min.js",
         "LICENSE": TEST_VENDOR / "axe-core/LICENSE"}),
)  # fmt: skip

FONT_URL: Final = re.compile(rb"url\(data:font/(woff2?);base64,([A-Za-z0-9+/=]+)\)")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fonts_to_files(css: bytes, folder: Path) -> tuple[bytes, dict[Path, bytes]]:
    """``css`` with each ``url(data:font/...)`` replaced by a file named by its hash.

    >>> css, fonts = fonts_to_files(b"a{src:url(data:font/woff2;base64,AAEC)}", Path("f"))
    >>> css, sorted(fonts.values())
    (b'a{src:url(fonts/f-ae4b3280.woff2)}', [b'\\x00\\x01\\x02'])
    """
    fonts: dict[Path, bytes] = {}

    def to_file(match: re.Match[bytes]) -> bytes:
        data = base64.b64decode(match[2])
        name = f"f-{sha256(data)[:8]}.{match[1].decode()}"
        fonts[folder / "fonts" / name] = data
        return b"url(fonts/" + name.encode() + b")"

    return FONT_URL.sub(to_file, css), fonts


def unpack(pin: Pin, tarball: bytes) -> dict[Path, bytes]:
    """The files ``pin`` takes from its tarball, as they are written."""
    found = sha256(tarball)
    if found != pin.tarball_sha256:
        raise SystemExit(
            f"{pin.name}@{pin.version}: tarball sha256 {found}, pinned {pin.tarball_sha256}"
        )
    written: dict[Path, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for inner, target in pin.files.items():
            member = archive.extractfile(f"package/{inner}")
            if member is None:
                raise SystemExit(f"{pin.name}@{pin.version}: no {inner} in the tarball")
            data = member.read()
            if target.suffix == ".css":
                data, fonts = fonts_to_files(data, target.parent)
                written.update(fonts)
            written[target] = data
    return written


def vendor_md(written: dict[Path, bytes]) -> str:
    lines = [
        "# Vendored front-end libraries",
        "",
        "Written by `tools/refresh_web_vendor.py` from the npm registry's tarballs (pinned",
        "by version and tarball sha256 in the script); do not edit these files by hand.",
        "axe-core is used by the browser tests only and lives in `tests/browser/vendor/`.",
        "GraphiQL's fonts were `data:` URLs in its stylesheet; the script writes them out",
        "as files so the page needs no CSP exception.",
        "",
        "| package | version | licence | tarball sha256 |",
        "|---|---|---|---|",
    ]
    lines += [f"| {p.name} | {p.version} | {p.licence} | `{p.tarball_sha256}` |" for p in PINS]
    lines += ["", "| file | sha256 |", "|---|---|"]
    lines += [
        f"| {path.relative_to(REPO).as_posix()} | `{sha256(data)}` |"
        for path, data in sorted(written.items())
    ]
    return "\n".join(lines) + "\n"


def recorded_files() -> dict[Path, str]:
    """The files VENDOR.md lists, and their sha256."""
    rows = re.findall(r"^\| (\S+) \| `([0-9a-f]{64})` \|$", VENDOR_MD.read_text(), re.M)
    return {REPO / path: digest for path, digest in rows}


def check() -> list[str]:
    """What differs between the committed files and VENDOR.md (empty: nothing)."""
    problems = []
    for path, digest in recorded_files().items():
        if not path.is_file():
            problems.append(f"{path.relative_to(REPO)}: missing")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"{path.relative_to(REPO)}: sha256 differs from VENDOR.md")
    return problems


def refresh() -> None:
    written: dict[Path, bytes] = {}
    for pin in PINS:
        with urllib.request.urlopen(pin.tarball_url, timeout=60) as response:
            written.update(unpack(pin, response.read()))
        print(f"{pin.name}@{pin.version}: ok")
    for folder in {STATIC, TEST_VENDOR}:
        for old in folder.rglob("*"):
            if old.is_file() and old not in written and old != VENDOR_MD:
                old.unlink()
    for path, data in written.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    VENDOR_MD.write_text(vendor_md(written), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="check the committed files only")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        print("\n".join(problems) or "the vendored files match VENDOR.md")
        return 1 if problems else 0
    refresh()
    return 0


if __name__ == "__main__":
    sys.exit(main())
