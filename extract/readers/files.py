"""Files and directories: :func:`iter_articles` (the readers' entry point) and
:func:`read_articles`; regular files only, links kept inside the input folder."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from extract.readers.archive import read_zip
from extract.readers.formats import read_blob
from extract.readers.model import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIX,
    Article,
    Blob,
    Ctx,
    Meta,
    Rejected,
    format_for,
    meta_from_sidecar,
    norm_language,
    sidecar_names,
    supported_list,
)

logger = logging.getLogger(__name__)


def _fs_sidecar(path: Path, root: Path | None = None) -> Meta:
    for candidate in sidecar_names(path.name):
        side = path.with_name(candidate)
        if not side.exists():
            continue
        fh, why = _open_regular(side, root if root is not None else path.parent)
        if fh is None:
            logger.warning("%s: sidecar ignored: %s", side, why)
            return Meta()
        with fh:
            try:
                data = fh.read(SIDECAR_MAX_BYTES + 1)
            except OSError as exc:
                logger.warning("%s: cannot read sidecar (%s); ignored", side, exc)
                return Meta()
        if len(data) > SIDECAR_MAX_BYTES:
            logger.warning("%s: sidecar larger than %d bytes; ignored", side, SIDECAR_MAX_BYTES)
            return Meta()
        return meta_from_sidecar(data, str(side))
    return Meta()


def _walk(directory: Path) -> Iterator[Path | Rejected]:
    """Entries under `directory`, recursively, sorted by name at each level; skips hidden
    entries and sidecars. A symlinked directory is not followed (reported)."""
    try:
        entries = sorted(directory.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield Rejected(str(directory), f"cannot list directory ({exc.strerror or exc})")
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name.endswith(SIDECAR_SUFFIX):
            continue
        if entry.is_symlink() and entry.is_dir():
            yield Rejected(str(entry), "symbolic link to a directory; not followed")
        elif entry.is_dir():
            yield from _walk(entry)
        else:
            yield entry


_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISDIR, "a directory"))


def _open_regular(path: Path, root: Path | None) -> tuple[io.BufferedReader | None, str]:
    """(an open binary file, "") for a regular file, else (None, why it is not read).

    Never blocks: opened with O_NONBLOCK, so a FIFO is refused instead of waiting for a
    writer. With `root` (the input folder `path` was found in), a symbolic link must stay
    inside it: one to ``/etc/passwd`` is refused.
    """
    try:
        if root is not None and path.is_symlink():
            target = path.resolve(strict=True)
            if not target.is_relative_to(root.resolve()):
                return None, f"symbolic link to {target}, outside the input folder; not read"
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"cannot read file ({exc.strerror or exc})"
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
        return None, f"{kind}, not a regular file; not read"
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb"), ""


def _read_path(path: Path, ctx: Ctx, root: Path | None = None) -> Iterator[Article | Rejected]:
    display = str(path)
    if path.name.endswith(SIDECAR_SUFFIX):
        yield Rejected(display, "sidecar metadata file, not an article (it is read together "
                                "with the article it describes)")
        return
    fmt = format_for(path.name)
    if fmt is None and path.suffix:
        yield Rejected(display, f"unsupported file type {path.suffix!r}; supported: "
                                f"{supported_list()}")
        return
    fh, why = _open_regular(path, root)
    if fh is None:
        yield Rejected(display, why)
        return
    with fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if fmt == "zip" or (fmt is None and fh.read(4) == b"PK\x03\x04"):
                fh.seek(0)
                yield from read_zip(fh, display, ctx)
                return
            if size > ctx.max_bytes:
                yield Rejected(display, f"file is {size} bytes, over the {ctx.max_bytes}-byte "
                                        "limit (max_bytes)")
                return
            fh.seek(0)
            data = fh.read(ctx.max_bytes + 1)
        except OSError as exc:
            yield Rejected(display, f"cannot read file ({exc.strerror or exc})")
            return
    if len(data) > ctx.max_bytes:
        yield Rejected(display, f"file is over the {ctx.max_bytes}-byte limit (max_bytes)")
        return
    yield from read_blob(Blob(data, path.name, display, _fs_sidecar(path, root)), fmt, ctx)


def iter_articles(
    paths: Iterable[str | Path] | str | Path,
    *,
    published: date | None = None,
    language: str | None = None,
    max_bytes: int = 10_000_000,
) -> Iterator[Article | Rejected]:
    """Yield an `Article` or a `Rejected` for everything found in `paths` (files or directories,
    directories walked recursively in sorted order). Never raises for bad input, never writes.

    `published` and `language` are fallbacks used when neither the article's metadata nor a
    sidecar gives them. `max_bytes` limits each file (and each zip member, uncompressed).
    """
    yield from read_inputs(list_inputs(paths), published=published, language=language,
                           max_bytes=max_bytes)


InputFile = tuple[Path, Path | None]
"""One file to read and the input folder it was found in (None for a file given itself)."""


def list_inputs(paths: Iterable[str | Path] | str | Path) -> Iterator[InputFile | Rejected]:
    """The files `iter_articles` reads, in its order, without reading them: directories
    walked recursively in sorted order; a `Rejected` for what cannot be listed. A list of
    these can be read elsewhere (another process or machine) with :func:`read_inputs`."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for file in _walk(path):
                yield file if isinstance(file, Rejected) else (file, path)
        elif path.exists() or path.is_symlink():
            yield (path, None)
        else:
            yield Rejected(str(path), "no such file or directory")


def read_inputs(items: Iterable[InputFile | Rejected], *, published: date | None = None,
                language: str | None = None, max_bytes: int = 10_000_000
                ) -> Iterator[Article | Rejected]:
    """`iter_articles` over the output of :func:`list_inputs` (a `Rejected` passes through):
    the same articles in the same order."""
    ctx = _ctx(published, language, max_bytes)
    for item in items:
        if isinstance(item, Rejected):
            yield item
        else:
            yield from _read_input(item, ctx)


def _ctx(published: date | None, language: str | None, max_bytes: int) -> Ctx:
    if isinstance(published, datetime):
        published = published.date()
    default_language = norm_language(language)
    if language is not None and default_language is None:
        logger.warning("language argument %r is not an ISO 639 code; ignored", language)
    return Ctx(defaults=Meta(published=published, language=default_language),
               max_bytes=max_bytes)


def _read_input(item: InputFile, ctx: Ctx) -> Iterator[Article | Rejected]:
    file, root = item
    try:
        yield from _read_path(file, ctx, root)
    except Exception as exc:  # one bad file must not stop the others
        logger.exception("%s: unexpected error while reading", file)
        yield Rejected(str(file), f"unexpected error while reading "
                                  f"({type(exc).__name__}: {exc})")


def read_articles(paths: Iterable[str | Path] | str | Path, **kwargs: Any
                  ) -> tuple[list[Article], list[Rejected]]:
    """`iter_articles` collected into (articles, rejected)."""
    articles: list[Article] = []
    rejected: list[Rejected] = []
    for item in iter_articles(paths, **kwargs):
        if isinstance(item, Article):
            articles.append(item)
        else:
            rejected.append(item)
    return articles, rejected
