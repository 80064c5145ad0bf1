"""The web chat (issue 5): a Gradio page mounted on the API's FastAPI app at "/".

It calls the same Newsdesk methods as the API and nothing else. Gradio is told to stay
offline before it is first imported: no analytics, no version check, no hub look-ups.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from fastapi import FastAPI, Request

from assistant.serving.runtime import Runtime

WEB_PATH = "/"


def offline_gradio() -> None:
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("GRADIO_SSR_MODE", "False")


def mount_web(
    api: FastAPI,
    runtime: Runtime,
    auth_dependency: Callable[[Request], str | None] | None = None,
) -> FastAPI:
    """Mount the page on `api` (after its routes, so /v1, /mcp and the health checks win).
    `auth_dependency` names the signed-in role ("reader" or "editor") when keys are set.
    Uploads pass `upload_guard.UploadGuard` first (create_app adds it)."""
    offline_gradio()
    import gradio as gr

    from assistant.web.assets import CSS, HEAD
    from assistant.web.page import build_page

    theme = gr.themes.Soft(
        font=["ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    )
    return gr.mount_gradio_app(
        api,
        build_page(runtime),
        path=WEB_PATH,
        # Gradio refuses a larger file as it streams in, and removes what it had written.
        max_file_size=int(runtime.newsdesk.settings.ingest.max_file_mb * 1024 * 1024),
        footer_links=[],
        ssr_mode=False,
        theme=theme,
        css=CSS,
        head=HEAD,
        auth_dependency=auth_dependency,
    )
