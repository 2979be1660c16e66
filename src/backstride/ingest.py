"""Import service: paths in, activities stored, one outcome per activity or failed file.

:func:`import_paths` expands the paths the user gave (folders, archives, Strava
exports) into sources, parses each source and encodes its streams (in a small
process pool once the import is big enough to pay for one, see
:data:`POOL_AFTER_S`), and writes each source's activities to the
:class:`~backstride.storage.store.Store` in one transaction, in input order, from
the calling process. It yields one
:class:`FileOutcome` per activity stored or recognised as a duplicate, and one per
file (or archive member) that failed. One bad file never stops the others: expected
problems (:class:`~backstride.errors.ActivityFileError`,
:class:`~backstride.errors.StorageError`) become an error line; anything unexpected
is logged with its traceback at debug level and reported the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.context import BaseContext
from pathlib import Path
from types import TracebackType
from typing import Final, Literal

from backstride.domain.activity import Sport
from backstride.errors import ActivityFileError, BackstrideError, StorageError
from backstride.importers.read import read_source
from backstride.importers.source import Source
from backstride.importers.sources import expand_paths, sources_in_file
from backstride.settings import ImportLimits
from backstride.storage.store import PreparedActivity, Store, StoredActivity, prepare_activity

__all__ = [
    "POOL_AFTER_S",
    "FileOutcome",
    "OutcomeStatus",
    "ProgressCallback",
    "default_workers",
    "import_paths",
]

log = logging.getLogger(__name__)

OutcomeStatus = Literal["imported", "duplicate", "error"]

#: ``on_progress(files_done, files_total, file)``: called once with ``(0, total, "")``
#: before the first file, then after each input file is finished.
ProgressCallback = Callable[[int, int, str], None]

#: Sources parsed ahead of the writer, per worker process (bounds memory).
_AHEAD_PER_WORKER: Final = 4
#: Parse in this process until parsing has taken this long [s]; only then start the
#: pool. Starting worker processes costs about a second (interpreter, numpy, lxml), more
#: than a few dozen GPX files take to parse; a year of FIT files is worth it.
POOL_AFTER_S: Final = 1.0


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one activity, or to one file that could not be imported.

    Attributes
    ----------
    file
        The file as the user would recognise it (``archive.zip!member`` inside archives).
    status
        ``"imported"``, ``"duplicate"`` or ``"error"``.
    id
        Stored activity id: the new one, or for a duplicate the one already stored.
    sport, start_utc, elapsed_s, distance_m, avg_cadence_spm, ascent_m, avg_hr
        What was read [s, m, steps/min, m, bpm]; None for errors or when unknown.
    has_running_dynamics
        True when the activity has running-dynamics data; None for errors.
    leg_index
        Leg of a multisport file (0 otherwise); None for errors.
    error
        For errors: one line saying what is wrong (without the file name).
    note
        For duplicates: which stored activity it matches and why.
    warnings
        Problems survived while reading (one line each).
    """

    file: str
    status: OutcomeStatus
    id: int | None = None
    sport: Sport | None = None
    start_utc: datetime | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_cadence_spm: float | None = None
    ascent_m: float | None = None
    avg_hr: float | None = None
    has_running_dynamics: bool | None = None
    leg_index: int | None = None
    error: str | None = None
    note: str | None = None
    warnings: tuple[str, ...] = ()

    @classmethod
    def from_stored(cls, file: str, stored: StoredActivity) -> FileOutcome:
        """Outcome for an activity the store imported or recognised as a duplicate."""
        activity = stored.activity
        s = activity.summary
        return cls(
            file=file,
            status=stored.status,
            id=stored.id,
            sport=activity.sport,
            start_utc=activity.start_utc,
            elapsed_s=s.elapsed_s,
            distance_m=s.distance_m,
            avg_cadence_spm=s.avg_cadence_spm,
            ascent_m=s.ascent_m,
            avg_hr=s.avg_hr_bpm,
            has_running_dynamics=activity.has_running_dynamics,
            leg_index=activity.leg_index,
            note=stored.duplicate_reason,
            warnings=activity.warnings,
        )

    @classmethod
    def failed(cls, file: str, reason: str) -> FileOutcome:
        """Outcome for a file (or archive member) that could not be imported."""
        return cls(file=file, status="error", error=_one_line(reason) or "unknown error")

    @classmethod
    def from_error(cls, error: ActivityFileError) -> FileOutcome:
        """Outcome for an importer's error (which names the file)."""
        return cls.failed(error.source, error.reason)


def default_workers() -> int:
    """Parser processes used when not configured: ``min(2, cpu count)``."""
    return max(1, min(2, os.cpu_count() or 1))


# -- parsing (runs in worker processes; must stay picklable) ------------------------------


@dataclass(frozen=True, slots=True)
class _Failure:
    """A parse failure sent back from a worker (exceptions with custom init don't pickle)."""

    reason: str
    trace: str | None = None


_Parsed = list[PreparedActivity] | _Failure
_Future = Future[tuple[_Parsed, list[logging.LogRecord]]]


def _parse(source: Source, limits: ImportLimits) -> _Parsed:
    """Read one source into activities ready to store (streams encoded); never raises."""
    try:
        return [prepare_activity(a) for a in read_source(source, limits)]
    except ActivityFileError as exc:
        return _Failure(exc.reason)
    except Exception as exc:
        reason = f"unexpected {type(exc).__name__} while reading: {exc}"
        return _Failure(reason, traceback.format_exc())


class _Capture(logging.Handler):
    """Collects a worker's log records so the main process can replay them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # make the record picklable: format the message and traceback now
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        self.records.append(record)


def _parse_in_worker(
    source: Source, limits: ImportLimits, level: int
) -> tuple[_Parsed, list[logging.LogRecord]]:
    """:func:`_parse` in a worker process, returning its log records too."""
    logger = logging.getLogger("backstride")
    capture = _Capture()
    logger.addHandler(capture)
    logger.setLevel(level)
    logger.propagate = False  # never print from a worker; the main process decides
    try:
        return _parse(source, limits), capture.records
    finally:
        logger.removeHandler(capture)


def _replay(records: list[logging.LogRecord]) -> None:
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)


class _Parser:
    """Parses sources in order, in worker processes when allowed and worthwhile.

    Sources are parsed in this process until that has taken :data:`POOL_AFTER_S`
    (small imports never pay for a pool). When the pool cannot be started or a worker
    dies, parsing falls back to this process for the rest of the run, so the import
    still completes.
    """

    def __init__(self, limits: ImportLimits, workers: int, pool_after_s: float) -> None:
        self.limits = limits
        self._pool_after_s = pool_after_s
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._level = logging.getLogger("backstride").getEffectiveLevel()
        self._serial = workers <= 1
        self._parse_s = 0.0

    @property
    def ahead(self) -> int:
        return max(1, self._workers) * _AHEAD_PER_WORKER

    def _now(self, source: Source) -> _Future:
        started = time.perf_counter()
        done: _Future = Future()
        done.set_result((_parse(source, self.limits), []))
        self._parse_s += time.perf_counter() - started
        return done

    def submit(self, source: Source) -> _Future:
        if self._serial or (self._pool is None and self._parse_s < self._pool_after_s):
            return self._now(source)
        try:
            if self._pool is None:
                self._pool = self._start_pool()
            return self._pool.submit(_parse_in_worker, source, self.limits, self._level)
        except (OSError, RuntimeError, NotImplementedError, ImportError) as exc:
            self.fall_back(f"cannot start parser processes ({type(exc).__name__}: {exc})")
            return self._now(source)

    def _start_pool(self) -> ProcessPoolExecutor:
        context: BaseContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            forkserver = multiprocessing.get_context("forkserver")
            # workers fork from a server that has the parsers imported already
            forkserver.set_forkserver_preload(["backstride.ingest", "backstride.importers.read"])
            context = forkserver
        else:
            context = multiprocessing.get_context("spawn")
        log.debug("starting %d parser processes", self._workers)
        return ProcessPoolExecutor(max_workers=self._workers, mp_context=context)

    def fall_back(self, why: str) -> None:
        """Parse in this process from now on."""
        if not self._serial:
            log.warning("%s; parsing in the main process instead", why)
        self._serial = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def result(self, source: Source, future: _Future) -> _Parsed:
        """The parse result; a dead worker pool means parsing again here."""
        try:
            parsed, records = future.result()
            _replay(records)
            return parsed
        except BrokenProcessPool:
            self.fall_back("a parser process died")
            return _parse(source, self.limits)
        except Exception as exc:
            log.debug("parser process failed on %s", source.name, exc_info=True)
            return _Failure(f"unexpected {type(exc).__name__} in the parser process: {exc}")

    def __enter__(self) -> _Parser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# -- the pipeline -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ToParse:
    source: Source


@dataclass(frozen=True, slots=True)
class _Ready:
    outcome: FileOutcome


@dataclass(frozen=True, slots=True)
class _FileDone:
    file: Path


_Item = _ToParse | _Ready | _FileDone


def _items(files: Sequence[Path], limits: ImportLimits) -> Iterator[_Item]:
    """Every source of every file, in order, each file closed by a :class:`_FileDone`."""
    for path in files:
        count = 0
        try:
            for entry in sources_in_file(path, limits):
                count += 1
                if isinstance(entry, ActivityFileError):
                    yield _Ready(FileOutcome.from_error(entry))
                else:
                    yield _ToParse(entry)
        except ActivityFileError as exc:
            count += 1
            yield _Ready(FileOutcome.from_error(exc))
        except Exception as exc:
            count += 1
            log.debug("unexpected error while opening %s", path, exc_info=True)
            yield _Ready(
                FileOutcome.failed(str(path), f"unexpected {type(exc).__name__}: {exc}")
            )
        if count == 0:
            yield _Ready(FileOutcome.failed(str(path), "no activity files found in it"))
        yield _FileDone(path)


def _strip_name(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _write(store: Store, source: Source, parsed: _Parsed) -> list[FileOutcome]:
    """Store one parsed source; every failure becomes an error outcome."""
    if isinstance(parsed, _Failure):
        if parsed.trace:
            log.debug("%s: %s\n%s", source.name, parsed.reason, parsed.trace)
        return [FileOutcome.failed(source.name, parsed.reason)]
    if not parsed:
        return [FileOutcome.failed(source.name, "no activity in this file")]
    try:
        stored = store.add_file(source.name, parsed)
    except StorageError as exc:
        return [FileOutcome.failed(source.name, _strip_name(str(exc), source.name))]
    except BackstrideError as exc:
        return [FileOutcome.failed(source.name, str(exc))]
    except Exception as exc:
        log.debug("unexpected error while storing %s", source.name, exc_info=True)
        return [FileOutcome.failed(source.name, f"unexpected {type(exc).__name__}: {exc}")]
    return [FileOutcome.from_stored(source.name, s) for s in stored]


def import_paths(
    store: Store,
    paths: Iterable[Path],
    limits: ImportLimits,
    *,
    on_progress: ProgressCallback | None = None,
    workers: int | None = None,
    pool_after_s: float = POOL_AFTER_S,
) -> Iterator[FileOutcome]:
    """Import activity files, folders and archives into ``store``.

    Parameters
    ----------
    store
        Where activities are written (one transaction per source file).
    paths
        Files, folders, zip/gzip archives or Strava export folders/zips.
    limits
        Size limits applied while reading.
    on_progress
        Called as ``on_progress(files_done, files_total, file)``: once with
        ``(0, total, "")``, then after each input file.
    workers
        Parser processes; default :func:`default_workers`. 1 parses in this process.
    pool_after_s
        Parse in this process until parsing has taken this long [s] before starting
        the worker processes (0: start them for the first source).

    Yields
    ------
    FileOutcome
        In input order: one per activity imported or found duplicate, one per file
        or archive member that failed. Paths that cannot be opened come first.
    """
    files, problems = expand_paths(list(paths))
    for problem in problems:
        yield FileOutcome.from_error(problem)
    total = len(files)
    if on_progress is not None:
        on_progress(0, total, "")
    n_workers = default_workers() if workers is None else max(1, workers)
    done = 0
    with _Parser(limits, n_workers, pool_after_s) as parser:
        pending: deque[tuple[_Item, _Future | None]] = deque()

        def settle(item: _Item, future: _Future | None) -> list[FileOutcome]:
            nonlocal done
            if isinstance(item, _Ready):
                return [item.outcome]
            if isinstance(item, _FileDone):
                done += 1
                if on_progress is not None:
                    on_progress(done, total, str(item.file))
                return []
            assert future is not None
            return _write(store, item.source, parser.result(item.source, future))

        in_flight = 0
        for item in _items(files, limits):
            future = parser.submit(item.source) if isinstance(item, _ToParse) else None
            pending.append((item, future))
            in_flight += future is not None
            # write whatever is finished at the head; block only when too far ahead
            while pending:
                head, head_future = pending[0]
                if head_future is not None and not head_future.done() and in_flight < parser.ahead:
                    break
                pending.popleft()
                in_flight -= head_future is not None
                yield from settle(head, head_future)
        while pending:
            head, head_future = pending.popleft()
            yield from settle(head, head_future)
