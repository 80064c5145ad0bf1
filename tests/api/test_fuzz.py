"""Requests generated from the API's own OpenAPI schema (schemathesis): never a 500, and
every response is one the schema documents, with a body that matches it.

Runs against a store of its own (the fuzzer adds and deletes articles), with a few examples
per operation so the whole run stays within seconds.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from ingest.types import IngestError

RECORD = {"title": "Harbour pilots strike", "body": "Harbour pilots began a strike on Tuesday."}


def no_dns(host: str, port: int) -> list[str]:
    raise IngestError(f"cannot resolve {host!r}: the tests ask no resolver")


def test_generated_requests_get_documented_responses_and_never_a_server_error(
    tmp_path, embedder, monkeypatch
):
    # Generated {"url": ...} bodies are fetched: no name may reach a real resolver, and so
    # no address beyond this machine (IP literals are refused as private or resolve here).
    monkeypatch.setattr("ingest.web.address.resolve", no_dns)
    # schemathesis' ASGI client names the host "testserver": listed, as a proxy's name would be.
    overrides = {"data_dir": tmp_path, "sample_corpus": False, "api.allowed_hosts": "testserver"}
    app = Newsdesk(load_settings(overrides=overrides, environ={}), embedder=embedder)
    app.ingest_records([RECORD])
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(app, warm_up=False))
    # schemathesis' own pytest plugin does not run under this pytest; drive Hypothesis here.
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9

    for operation in operations:

        @given(case=operation.as_strategy())
        # derandomize: CI runs the same examples every time; a longer random run is a command.
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case) -> None:
            # Whether a source's URL may be fetched depends on where its host resolves and
            # on the allow-list, which no schema can say: a schema-valid URL may get the 422
            # that names the reason (tests/api/test_sources.py); a watch's webhook too, and
            # without NEWSDESK_WATCH_SECRET every one (tests/api/test_watches.py). A briefing
            # whose `since` is after its `until` gets the 422 naming both: no schema says it.
            # OpenAI's chat body cannot say "the last message is the user's, with text": a
            # schema-valid one without gets the 400 that says so.
            refusable = case.operation.label in (
                "POST /v1/chat/completions",
                "POST /v1/sources",
                "POST /v1/watches",
                "POST /v1/brief",
                "GET /v1/stories",
            )
            case.call_and_validate(
                excluded_checks=[positive_data_acceptance] if refusable else None
            )

        fuzz()
