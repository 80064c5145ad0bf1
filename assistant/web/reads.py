"""The page's events that only read: the store, who is signed in, or the page's own state.

Gradio queues the events of one function in one line for the whole server, running one at a
time unless told otherwise, and the lowest limit of the events sharing a function wins: one
user's read (an opening page, a list, an article, a timer's look) waited behind another
user's. A read changes nothing, so every event of such a function is made with `read` (or
`reading`): no queue limit of its own (Gradio's 40 worker threads bound them all). Writes,
and work as CPU-bound as answering (a chat answer, a briefing), keep Gradio's default: one
at a time per function and process (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr


def read(
    listener: Callable[..., gr.events.Dependency],
    fn: Callable,
    inputs: Any,  # as a listener takes them: a component, a list of them, or None
    outputs: Any,
    **options: Any,  # the listener's own, e.g. show_progress
) -> gr.events.Dependency:
    """`listener` (a component's event such as `button.click`, or `event.then`) running the
    read `fn`, with no queue limit of its own."""
    return listener(fn, inputs, outputs, concurrency_limit=None, **options)


def reading(event: gr.events.Dependency, *steps: tuple) -> gr.events.Dependency:
    """After `event`, each step (function, inputs, outputs) in turn, each a read."""
    for fn, inputs, outputs in steps:
        event = read(event.then, fn, inputs, outputs)
    return event
