"""Writing a hand-over document to the file a command's `--export` names (`ask`, `chat`,
`brief`): one place that turns a failed write into a message and an exit status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.handover import HandoverDocument

EXIT_OK, EXIT_FAILURE = 0, 1


def write_export(path: str, document: HandoverDocument) -> int:
    """Render `document` in the format `path`'s suffix names and write it there."""
    from assistant.handover import format_of_file

    data = format_of_file(path).render(document)
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"exported to {path}", file=sys.stderr)
    return EXIT_OK
