"""Extraction on a dask.distributed cluster (``conflict-atlas extract --scheduler ...``).

The client lists the inputs (:func:`extract.readers.list_inputs`: file names only, nothing
read) and cuts the list into partitions of a few files; each partition is one task, which
reads its files on the worker (:func:`extract.readers.read_inputs`) and codes every article
with the worker's one :class:`~extract.pipeline.Extractor`, loaded once per worker by a
``WorkerPlugin`` (also on a worker that joins, or is restarted, later). Results come back
as they finish (``as_completed``) and the progress callback follows them; a task whose
worker dies is run again elsewhere by the scheduler (and ``retries=`` covers a task that
raised). The partitions are put back in input order before the events are framed, so the
result is the one :func:`extract.pipeline.run_pipeline` gives on the same input: the same
articles, the same event ids, the same rows, the same rejects.

``scheduler`` is ``tcp://HOST:PORT`` (a running ``dask scheduler``; the workers must see
the input paths, the gazetteer index and the models at the same places) or ``local:N``
(a ``LocalCluster`` of N single-threaded worker processes on 127.0.0.1, started and
stopped by the run). dask is imported here only, inside the functions: ``extract``
installs and runs without it (``pip install 'conflict-atlas[cluster]'`` adds it).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conflict_atlas_core.errors import ConflictAtlasError
from extract.pipeline import PipelineResult, ProgressCallback

logger = logging.getLogger(__name__)

PLUGIN_NAME = "conflict-atlas-extractor"
PARTITION_FILES = 8  # files per task: big enough to amortise a task, small to balance
TASK_RETRIES = 2


class ClusterError(ConflictAtlasError, ValueError):
    """A scheduler address that is not one, or the ``cluster`` extra missing."""


@dataclass(frozen=True)
class Coded:
    """One article coded on a worker: its path, event records and reject reason."""
    path: str
    rows: list[dict[str, Any]]
    error: str | None


def parse_scheduler(value: str) -> tuple[str, int]:
    """``("local", N)`` for ``local:N``, ``("tcp", 0)`` for a ``tcp://HOST:PORT`` address."""
    local = re.fullmatch(r"local:(\d+)", value.strip())
    if local:
        n = int(local.group(1))
        if n < 1:
            raise ClusterError(f"--scheduler {value}: a local cluster needs at least 1 worker")
        return "local", n
    if re.fullmatch(r"tcp://[^\s:/]+:\d+", value.strip()):
        return "tcp", 0
    raise ClusterError(f"--scheduler {value!r} is neither tcp://HOST:PORT nor local:N")


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError("--scheduler needs dask.distributed: "
                           "pip install 'conflict-atlas[cluster]'") from None
    return distributed


def partitions(items: list[Any], size: int) -> list[list[Any]]:
    """``items`` cut into consecutive lists of at most ``size``, in order."""
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _extractor_plugin(language: str, index_path: str | None, event_model: str | None) -> Any:
    from distributed.diagnostics.plugin import WorkerPlugin

    class ExtractorPlugin(WorkerPlugin):
        """Loads the models and the gazetteer once per worker, when it starts."""

        name = PLUGIN_NAME

        def __init__(self) -> None:
            self.settings = (language, index_path, event_model)
            self.extractor: Any = None

        def setup(self, worker: Any) -> None:
            from extract.pipeline import Extractor

            lang, index, model = self.settings
            extractor = Extractor(language=lang, index_path=index, event_model=model)
            extractor.warm()  # the models load when the worker starts, not in its first task
            self.extractor = extractor

    return ExtractorPlugin()


def code_partition(items: list[Any], published: dt.date | None, language: str | None
                   ) -> list[Any]:
    """The task: read the partition's files on this worker and code their articles with
    the worker's extractor; a list of ``Rejected`` (unreadable) and :class:`Coded`, in
    input order."""
    from distributed import get_worker

    from extract.pipeline import _safe_extract
    from extract.readers import Article, read_inputs

    plugin: Any = get_worker().plugins[PLUGIN_NAME]  # the ExtractorPlugin above
    extractor = plugin.extractor
    out: list[Any] = []
    for item in read_inputs(items, published=published, language=language):
        if isinstance(item, Article):
            rows, error = _safe_extract(extractor, item)
            out.append(Coded(item.path, rows, error))
        else:
            out.append(item)
    return out


@contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` (a ``LocalCluster`` for ``local:N``,
    closed on exit)."""
    distributed = _import_distributed()
    kind, n = parse_scheduler(scheduler)
    if kind == "tcp":
        try:
            client = distributed.Client(scheduler.strip(), timeout="20s")
        except OSError as exc:
            raise ClusterError(f"cannot reach the scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    with distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def run_distributed(paths: Iterable[str | os.PathLike[str]], *, scheduler: str | Any,
                    published: dt.date | None = None, language: str = "auto",
                    progress: ProgressCallback | None = None,
                    index_path: str | Path | None = None,
                    event_model: str | Path | None = None,
                    partition_files: int = PARTITION_FILES) -> PipelineResult:
    """:func:`extract.pipeline.run_pipeline` on a dask cluster: ``scheduler`` is an address
    (see the module doc) or a connected ``distributed.Client``. The progress callback gets
    (files done, files listed, last path)."""
    if isinstance(scheduler, str):
        with connect(scheduler) as client:
            return run_distributed(paths, scheduler=client, published=published,
                                   language=language, progress=progress,
                                   index_path=index_path, event_model=event_model,
                                   partition_files=partition_files)
    from distributed import as_completed

    from extract.pipeline import _frame
    from extract.readers import Rejected, list_inputs

    client = scheduler
    lang = None if language == "auto" else language
    client.register_plugin(_extractor_plugin(
        language, str(index_path) if index_path else None,
        str(event_model) if event_model else None), name=PLUGIN_NAME)
    # absolute paths: the workers' working directory is not the client's
    items = [it if isinstance(it, Rejected) else (it[0].absolute(),
                                                   it[1].absolute() if it[1] else None)
             for it in list_inputs([Path(p) for p in paths])]
    parts = partitions(items, partition_files)
    total = len(items)
    logger.info("%d input files in %d partitions on %s", total, len(parts), client)
    if progress:
        progress(0, total, "starting")
    futures = {client.submit(code_partition, part, published, lang, pure=False,
                             retries=TASK_RETRIES, key=f"extract-part-{i}-{os.getpid()}-"
                             f"{id(parts)}"): i
               for i, part in enumerate(parts)}
    results: dict[int, list[Any]] = {}
    done = 0
    for future in as_completed(futures):
        i = futures[future]
        results[i] = future.result()
        done += len(parts[i])
        if progress:
            progress(done, total, _label(parts[i]))
    read_rejects: list[Any] = []
    coded: list[Coded] = []
    for i in range(len(parts)):
        for item in results[i]:
            (coded if isinstance(item, Coded) else read_rejects).append(item)
    records = [row for c in coded for row in c.rows]
    rejected = read_rejects + [Rejected(c.path, c.error) for c in coded if c.error]
    return PipelineResult(events=_frame(records), rejected=rejected, n_articles=len(coded))


def _label(part: list[Any]) -> str:
    last = part[-1]
    return str(last[0]) if isinstance(last, tuple) else str(getattr(last, "path", ""))
