"""Every interface (CLI, REST and MCP, web, evaluation, the CLI's remote client) goes through
the application object, `Newsdesk`, and nothing below it: one way to list, show, remove,
check and answer, whichever door a user came in by."""

from __future__ import annotations

import ast
from pathlib import Path

ASSISTANT = Path(__file__).resolve().parents[1] / "assistant"
INTERFACES = [
    ASSISTANT / "cli.py",
    ASSISTANT / "remote.py",
    *sorted((ASSISTANT / "api").glob("*.py")),
    *sorted((ASSISTANT / "web").glob("*.py")),
    *sorted((ASSISTANT / "evaluation").glob("*.py")),
]


def store_reaches(source: str) -> list[int]:
    """Lines with `x.store` in a module's source, except the store's settings
    (`settings.store`, `app.settings.store`)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or node.attr != "store":
            continue
        owner = node.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if name != "settings":
            lines.append(node.lineno)
    return lines


def test_no_interface_reaches_past_the_application_to_its_store():
    assert len(INTERFACES) > 20
    reaches = {
        str(path.relative_to(ASSISTANT)): found
        for path in INTERFACES
        if (found := store_reaches(path.read_text(encoding="utf-8")))
    }
    assert reaches == {}


def test_no_interface_loads_the_sample_corpus_itself():
    # The application offers the samples on its first read; an interface that did it too
    # would be a second place deciding when a store gets them.
    callers = [p.name for p in INTERFACES if "ensure_sample_corpus" in p.read_text("utf-8")]
    assert callers == []


def test_the_check_sees_a_reach_past_the_application_and_allows_settings():
    source = "def f(app):\n    cfg = app.settings.store\n    return app.store.list_articles()\n"
    assert store_reaches(source) == [3]


def imported_modules(source: str) -> set[str]:
    """Every module a source file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_the_web_page_and_the_api_share_serving_code_and_do_not_import_each_other():
    def imports(package: str) -> dict[str, set[str]]:
        return {
            str(path.relative_to(ASSISTANT)): imported_modules(path.read_text(encoding="utf-8"))
            for path in sorted((ASSISTANT / package).glob("*.py"))
        }

    def reaching(package: str, forbidden: str) -> dict[str, list[str]]:
        return {
            name: sorted(m for m in found if m.startswith(forbidden))
            for name, found in imports(package).items()
            if any(m.startswith(forbidden) for m in found)
        }

    assert reaching("web", "assistant.api") == {}
    assert reaching("serving", "assistant.api") == {}
    assert reaching("serving", "assistant.web") == {}
    # The check reads imports inside functions too.
    assert imported_modules("def f():\n    from assistant.api.deps import sse\n") >= {
        "assistant.api.deps"
    }
