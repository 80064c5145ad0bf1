"""Which files the page's handlers may touch: only those uploaded to this page.

Every Gradio event takes its inputs as JSON, and a file is a `{"path": ...}` object naming a
file on the server. Gradio copies such a file into its cache (and the handler then reads it)
after checking that it was uploaded, but only for an app started with `launch()`: mounted
into FastAPI, as here, the check never runs, so a request naming `/etc/passwd` had the
Library ingest it and the chat serve it back. `Page` checks every file object of every event
(the chat history included) before Gradio touches it: its path must be one that this page's
upload route stored (`Blocks.upload_file_set`) and that is still there. Anything else, a
URL included, refuses the whole event with an error naming the file.

Uploaded files are removed once added to the library (`Page.discard`), and Gradio's cache
sweep (`delete_cache`) removes those never used after UPLOAD_MAX_AGE_S.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import PurePath
from typing import Any

import gradio as gr
from gradio_client import utils as client_utils

UPLOAD_MAX_AGE_S = 15 * 60
SWEEP_EVERY_S = 60


def _is_file_object(value: object) -> bool:
    # With or without Gradio's "meta" marker: an object naming a path is a file to check.
    return isinstance(value, dict) and isinstance(value.get("path"), str)


class Page(gr.Blocks):
    """The page's Blocks, which refuse any file that was not uploaded to them."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("delete_cache", (SWEEP_EVERY_S, UPLOAD_MAX_AGE_S))
        super().__init__(**kwargs)

    def foreign_files(self, data: object) -> list[str]:
        """The paths in `data` that were not uploaded to this page (or are gone since)."""
        found: list[str] = []

        def check(file: dict) -> dict:
            path = file["path"]
            if path not in self.upload_file_set or not os.path.isfile(path):
                found.append(path)
            return file

        client_utils.traverse(data, check, _is_file_object)
        return found

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):  # noqa: ANN001, ANN201 - Gradio's signature
        if foreign := self.foreign_files(inputs):
            name = PurePath(foreign[0]).name or foreign[0]
            raise gr.Error(
                f"{name}: only files uploaded to this page are accepted, and they are removed "
                f"once added or after {UPLOAD_MAX_AGE_S // 60} minutes: upload it again."
            )
        return await super().preprocess_data(block_fn, inputs, state, explicit_call)

    def discard(self, path: str) -> None:
        """Remove an uploaded file (and its folder, once empty) that has been used."""
        self.upload_file_set.discard(path)
        for block in self.blocks.values():
            block.temp_files.discard(path)
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))  # only when empty: the same content may wait there
