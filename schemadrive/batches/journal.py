"""The batch journal: one SQLite database in the output directory, one row per input row.

It is what makes a batch resumable and never paid twice. Every change of a row is its own
committed transaction in WAL mode, so a crash (even SIGKILL) leaves the journal as it was after
the last change. The two changes that guard against paying twice, the intent and the id, are
also flushed to disk (``synchronous=FULL``) so they survive a power cut; the others
(running, succeeded, downloaded) are not, as losing one only means waiting or downloading
again:

* ``submitting`` is committed *before* the POST that creates the job, and the generation id
  (state ``queued``) right after the reply: a row caught in ``submitting`` may or may not
  have a job on the hub, and is reconciled against the hub's history on resume;
* ``succeeded`` with no files means the outputs are still to be downloaded.

States: pending, submitting, queued, running, succeeded, failed, cancelled, uncertain.
All times are Unix timestamps in seconds.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = [
    "IN_FLIGHT", "JOURNAL_NAME", "MANIFEST_NAME", "STAGING_NAME", "STATES", "Journal",
    "JournalRow",
]  # fmt: skip

#: The files of an output directory: the journal, the manifest, and where downloads are
#: staged before their rename into place.
JOURNAL_NAME = "journal.sqlite3"
MANIFEST_NAME = "manifest.jsonl"
STAGING_NAME = ".staging"

STATES = (
    "pending", "submitting", "queued", "running", "succeeded", "failed", "cancelled", "uncertain",
)  # fmt: skip
#: States in which a row has a job on the hub that has not ended.
IN_FLIGHT = frozenset({"queued", "running"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    payload_hash TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    generation_id TEXT,
    estimated_cost TEXT,
    actual_cost TEXT,
    files TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    submitting_at REAL,
    submitted_at REAL,
    finished_at REAL,
    updated_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class JournalRow:
    """One input row as the journal knows it (``files`` is None until downloaded)."""

    row: int
    line: int
    name: str
    payload_hash: str
    state: str
    generation_id: str | None
    estimated_cost: str | None
    actual_cost: str | None
    files: tuple[str, ...] | None
    error: str | None
    attempts: int
    created_at: float
    submitting_at: float | None
    submitted_at: float | None
    finished_at: float | None
    updated_at: float

    @property
    def finished(self) -> bool:
        """Nothing more will happen to it in this run (unless asked: retry, resubmit)."""
        return (self.state == "succeeded" and self.files is not None) or self.state in (
            "failed",
            "cancelled",
            "uncertain",
        )

    def manifest_entry(self) -> dict[str, Any]:
        """The row's ``manifest.jsonl`` line."""
        return {
            "line": self.line,
            "row": self.row,
            "generation_id": self.generation_id,
            "status": self.state,
            "files": list(self.files or ()),
            "estimated_cost": self.estimated_cost,
            "actual_cost": self.actual_cost,
            "error": self.error,
        }


_COLUMNS = tuple(JournalRow.__dataclass_fields__)


class Journal:
    """The journal database at ``path`` (created if missing). Thread-safe: one connection,
    one lock, one transaction per change."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
        self._db: sqlite3.Connection | None = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._durable = True
        self._db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @property
    def closed(self) -> bool:
        return self._db is None

    def _write(self, sql: str, parameters: Iterable[Any] = (), *, durable: bool = False) -> None:
        with self._lock:
            if self._db is None:  # a worker finishing after the run ended: the resume knows
                return
            if durable != self._durable:
                self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
                self._durable = durable
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(sql, tuple(parameters))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- meta -----------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self._lock:
            assert self._db is not None
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def initialise(
        self, meta: Mapping[str, str], rows: Iterable[tuple[int, int, str, str, str | None]]
    ) -> None:
        """Write the meta and one pending row per (row, line, name, payload hash, estimate),
        all in one transaction (a crash leaves an empty journal, not half of one)."""
        now = time.time()
        with self._lock:
            assert self._db is not None
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items()
                )
                self._db.executemany(
                    "INSERT INTO rows (row, line, name, payload_hash, estimated_cost, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(*row, now, now) for row in rows],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- reading --------------------------------------------------------------------------
    def rows(self) -> list[JournalRow]:
        with self._lock:
            assert self._db is not None
            found = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM rows ORDER BY row"
            ).fetchall()
        return [_to_row(values) for values in found]

    def get(self, row: int) -> JournalRow:
        with self._lock:
            assert self._db is not None
            values = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM rows WHERE row = ?", (row,)
            ).fetchone()
        if values is None:
            raise KeyError(row)
        return _to_row(values)

    def counts(self) -> dict[str, int]:
        """How many rows are in each state (every state listed, zeros included)."""
        counts = dict.fromkeys(STATES, 0)
        for item in self.rows():
            counts[item.state] += 1
        return counts

    # -- changes (each one committed) -----------------------------------------------------
    def submitting(self, row: int) -> None:
        """The intent: committed before the POST that creates the job."""
        now = time.time()
        self._write(
            "UPDATE rows SET state='submitting', generation_id=NULL, files=NULL, error=NULL, "
            "actual_cost=NULL, finished_at=NULL, attempts=attempts+1, submitting_at=?, "
            "updated_at=? WHERE row=?",
            (now, now, row),
            durable=True,
        )

    def submitted(self, row: int, generation_id: str, *, state: str = "queued") -> None:
        """The generation id, committed as soon as the hub has answered."""
        now = time.time()
        self._write(
            "UPDATE rows SET state=?, generation_id=?, submitted_at=?, updated_at=? WHERE row=?",
            (state, generation_id, now, now, row),
            durable=True,
        )

    def set_state(self, row: int, state: str, *, error: str | None = None) -> None:
        """A new state (``error``: a note kept with it; None clears the last one)."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        finished = time.time() if state in ("failed", "cancelled") else None
        self._write(
            "UPDATE rows SET state=?, error=?, finished_at=COALESCE(?, finished_at), "
            "updated_at=? WHERE row=?",
            (state, error, finished, time.time(), row),
        )

    def succeeded(self, row: int, *, actual_cost: Decimal | str | None) -> None:
        """The job succeeded; its outputs are still to be downloaded."""
        cost = None if actual_cost is None else str(actual_cost)
        now = time.time()
        self._write(
            "UPDATE rows SET state='succeeded', error=NULL, actual_cost=COALESCE(?, actual_cost), "
            "finished_at=?, updated_at=? WHERE row=?",
            (cost, now, now, row),
        )

    def costs(self, found: Mapping[int, Decimal]) -> None:
        """The actual costs the hub reported, by row, in one transaction."""
        if not found:
            return
        now = time.time()
        with self._lock:
            if self._db is None:
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "UPDATE rows SET actual_cost=?, updated_at=? WHERE row=?",
                    [(str(cost), now, row) for row, cost in found.items()],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def downloaded(self, row: int, files: Iterable[str]) -> None:
        self._write(
            "UPDATE rows SET files=?, error=NULL, updated_at=? WHERE row=?",
            (json.dumps(list(files)), time.time(), row),
        )

    def note(self, row: int, error: str | None) -> None:
        """Keep a message with the row without changing its state (a failed download)."""
        self._write("UPDATE rows SET error=?, updated_at=? WHERE row=?", (error, time.time(), row))


def _to_row(values: tuple[Any, ...]) -> JournalRow:
    record = dict(zip(_COLUMNS, values, strict=False))
    files = record["files"]
    record["files"] = tuple(json.loads(files)) if files is not None else None
    return JournalRow(**record)
