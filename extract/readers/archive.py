"""Zip archives, read in memory (never extracted), within limits on members, sizes,
compression ratio and depth (a zip inside a zip is read, one inside that is not)."""

from __future__ import annotations

import io
import logging
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from extract.readers.formats import read_blob
from extract.readers.model import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIX,
    Article,
    Blob,
    Budget,
    Ctx,
    Meta,
    Rejected,
    format_for,
    meta_from_sidecar,
    sidecar_names,
    supported_list,
)

logger = logging.getLogger(__name__)


#: Zip-bomb guards (on top of the per-member ``max_bytes``).
ZIP_MAX_TOTAL_BYTES = 500_000_000  # total uncompressed bytes read from one archive (+ nested)
ZIP_MAX_RATIO = 100  # uncompressed/compressed size, checked for members over ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 100_000
ZIP_MAX_MEMBERS = 20_000
ZIP_MAX_DEPTH = 1  # a zip inside a zip is read; a zip inside that is rejected


def _unsafe_member(name: str) -> str | None:
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return "absolute path"
    if ".." in n.split("/"):
        return "'..' path component"
    if "\x00" in n:
        return "NUL byte in name"
    return None


def _is_noise_member(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts if p)


def read_zip(source: io.BufferedReader | bytes, display: str, ctx: Ctx, depth: int = 0,
             budget: Budget | None = None) -> Iterator[Article | Rejected]:
    """The articles of a zip archive (``depth``: how deep inside other zips it is;
    ``budget``: the uncompressed bytes left to the outermost archive, ZIP_MAX_TOTAL_BYTES at
    the start)."""
    if budget is None:
        budget = Budget(ZIP_MAX_TOTAL_BYTES)
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield Rejected(display, f"not a readable zip archive ({exc})")
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > ZIP_MAX_MEMBERS:
            yield Rejected(display, f"zip has {len(infos)} members, over the limit of "
                                    f"{ZIP_MAX_MEMBERS}; not read")
            return
        names = {i.filename for i in infos}
        for info in sorted(infos, key=lambda i: i.filename):
            yield from _read_zip_member(zf, info, names, display, ctx, depth, budget)


def _read_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, names: set[str],
                     display: str, ctx: Ctx, depth: int,
                     budget: Budget) -> Iterator[Article | Rejected]:
    name = info.filename
    where = f"{display}!{name}"
    unsafe = _unsafe_member(name)
    if unsafe is not None:
        yield Rejected(where, f"unsafe member path in zip ({unsafe}); not read")
        return
    base = PurePosixPath(name.replace("\\", "/")).name
    if _is_noise_member(name) or base.endswith(SIDECAR_SUFFIX):
        return
    if stat.S_ISLNK(info.external_attr >> 16):
        yield Rejected(where, "zip member is a symbolic link; not read")
        return
    if info.flag_bits & 0x1:
        yield Rejected(where, "zip member is encrypted; not read")
        return
    fmt = format_for(base)
    if fmt is None and PurePosixPath(base).suffix:
        yield Rejected(where, f"unsupported file type {PurePosixPath(base).suffix!r}; "
                              f"supported: {supported_list()}")
        return
    if info.file_size > ctx.max_bytes:
        yield Rejected(where, f"member is {info.file_size} bytes uncompressed, over the "
                              f"{ctx.max_bytes}-byte limit")
        return
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > ZIP_RATIO_MIN_BYTES and ratio > ZIP_MAX_RATIO:
        yield Rejected(where, f"compression ratio {ratio:.0f}:1 exceeds {ZIP_MAX_RATIO}:1 "
                              "(possible zip bomb); not read")
        return
    if info.file_size > budget.remaining:
        yield Rejected(where, f"archive exceeds the total uncompressed limit of "
                              f"{ZIP_MAX_TOTAL_BYTES} bytes (possible zip bomb); not read")
        return
    try:
        with zf.open(info) as fh:
            data = fh.read(ctx.max_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError, ValueError) as exc:
        yield Rejected(where, f"zip member cannot be read ({exc})")
        return
    if len(data) > ctx.max_bytes:
        yield Rejected(where, f"member is over the {ctx.max_bytes}-byte limit")
        return
    budget.remaining -= len(data)
    if fmt == "zip" or (fmt is None and data.startswith(b"PK\x03\x04")):
        if depth >= ZIP_MAX_DEPTH:
            yield Rejected(where, f"zip nested more than {ZIP_MAX_DEPTH} level deep; not read")
            return
        yield from read_zip(data, where, ctx, depth + 1, budget)
        return
    sidecar = Meta()
    parent = str(PurePosixPath(name).parent)
    for candidate in sidecar_names(base):
        full = candidate if parent in ("", ".") else f"{parent}/{candidate}"
        if full in names:
            side_info = zf.getinfo(full)
            if side_info.file_size <= SIDECAR_MAX_BYTES:
                try:
                    with zf.open(side_info) as fh:
                        sidecar = meta_from_sidecar(fh.read(SIDECAR_MAX_BYTES),
                                                     f"{display}!{full}")
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError,
                        NotImplementedError, RuntimeError, ValueError) as exc:
                    logger.warning("%s!%s: cannot read sidecar (%s); ignored", display, full, exc)
            break
    yield from read_blob(Blob(data, base, where, sidecar), fmt, ctx)
