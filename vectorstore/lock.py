"""One process at a time on an embedded Chroma folder.

Embedded Chroma keeps its index in the memory of the process that opened it: a second process
writing the same folder leaves the first one answering from a stale index ("Error finding id",
missing dense ranks) until it restarts. So a process that opens an embedded store holds an
exclusive `flock` on a file in its folder for as long as it uses it. The operating system
releases the lock when the process ends, however it ends: a killed process leaves no stale
lock. The holder writes who it is into the file (pid, command, and for `newsdesk serve` the
address its API answers on), so a refused process can say who holds the store, and the CLI
can send its work through that server instead.

Within one process the lock is shared and counted: every Newsdesk of the process on the same
folder uses the one embedded Chroma anyway.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from vectorstore.client import StoreUnavailable

LOCK_NAME = "newsdesk.lock"


@dataclass(frozen=True)
class Holder:
    """Who holds a store: `role` "server" (with the `url` of its API) or "command"."""

    pid: int
    role: str
    command: str
    url: str | None = None

    def describe(self) -> str:
        where = f" at {self.url}" if self.url else ""
        return f"'{self.command}' (pid {self.pid}){where}"


def this_process(command: str, *, role: str = "command", url: str | None = None) -> Holder:
    return Holder(pid=os.getpid(), role=role, command=command, url=url)


class StoreBusy(StoreUnavailable):
    """Another process holds the embedded store; `holder` says who (None: not readable)."""

    def __init__(self, path: Path, holder: Holder | None) -> None:
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "another Newsdesk process"
        hint = (
            "send the work through that server, or stop it first"
            if holder and holder.role == "server"
            else "wait for it to finish, or stop it, and try again"
        )
        super().__init__(f"the store at {path} is in use by {who}: {hint}")


class _Held:
    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.count = 0


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


class StoreLease:
    """This process's hold on one embedded store; `release` once when done (idempotent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._released = False

    def release(self) -> None:
        with _guard:
            if self._released:
                return
            self._released = True
            held = _held[self.path]
            held.count -= 1
            if held.count == 0:
                del _held[self.path]
                os.close(held.fd)  # closing the last descriptor drops the flock


def hold_store(folder: Path, holder: Holder) -> StoreLease:
    """Hold the embedded store in `folder` for this process; StoreBusy when another has it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / LOCK_NAME).resolve()
    with _guard:
        held = _held.get(path)
        if held is None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise StoreBusy(folder, read_holder(folder)) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(asdict(holder)).encode(), 0)
            held = _held[path] = _Held(fd)
        held.count += 1
    return StoreLease(path)


def read_holder(folder: Path, wait_s: float = 2.0) -> Holder | None:
    """Who holds the store, as the holder wrote it. Between taking the lock and writing its
    name a holder's file is briefly empty: wait a moment for it."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return Holder(**json.loads((folder / LOCK_NAME).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)
