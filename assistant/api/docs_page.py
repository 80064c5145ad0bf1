"""The API page /docs (Swagger UI), served with no network: its script, style sheet and icon
are the files of the pinned `fastapi-offline` package, served by this server, not a CDN, so
the page works offline and behind a firewall. ReDoc (/redoc) is not served: the package's
ReDoc fails on this API's schema ("Something went wrong") and /docs covers the same.

(`swagger-ui-bundle` was tried first: its Swagger UI 4 cannot read the OpenAPI 3.1 schema
FastAPI writes, and shows "Unable to render this definition".)
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

DOCS_PATH = "/docs"
# URL path -> (file of fastapi_offline/static, media type); each a public route of its own.
ASSETS = {
    f"{DOCS_PATH}/swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript"),
    f"{DOCS_PATH}/swagger-ui.css": ("swagger-ui.css", "text/css"),
    f"{DOCS_PATH}/favicon.png": ("favicon.png", "image/png"),
}


def _asset_route(api: FastAPI, url: str, name: str, media_type: str) -> None:
    path = str(resources.files("fastapi_offline") / "static" / name)

    @api.get(url, include_in_schema=False)
    def asset() -> FileResponse:
        return FileResponse(path, media_type=media_type)


def install_docs(api: FastAPI) -> None:
    """/docs and its assets, for an app made with `docs_url=None, redoc_url=None`."""
    for url, (name, media_type) in ASSETS.items():
        _asset_route(api, url, name, media_type)

    def local(request: Request, path: str) -> str:
        return f"{request.scope.get('root_path', '')}{path}"  # behind a proxy's path prefix

    @api.get(DOCS_PATH, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=local(request, api.openapi_url or "/openapi.json"),
            title=f"{api.title} - Swagger UI",
            swagger_js_url=local(request, f"{DOCS_PATH}/swagger-ui-bundle.js"),
            swagger_css_url=local(request, f"{DOCS_PATH}/swagger-ui.css"),
            swagger_favicon_url=local(request, f"{DOCS_PATH}/favicon.png"),
            oauth2_redirect_url=None,  # API keys are bearer tokens: no OAuth flow to finish
        )
