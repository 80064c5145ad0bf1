"""A crash switch for the crash tests: kill this process after N writes to Chroma.

`NEWSDESK_FAULT_AFTER_WRITES=N` makes the Nth write call (an upsert, delete or metadata
change) the last: the process SIGKILLs itself right after it returns, so a test can stop an
ingest at any chosen point between two writes and check that re-running it heals the store.
Unset (always, outside tests) it costs one dictionary lookup per write.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "NEWSDESK_FAULT_AFTER_WRITES"
_writes = 0


def after_write() -> None:
    """Count a write to Chroma; die here when the fault switch says so."""
    global _writes
    limit = os.environ.get(FAULT_ENV)
    if not limit:
        return
    _writes += 1
    if _writes >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)
