"""The HTTP API: REST, OpenAI-compatible chat and MCP over one Newsdesk (`newsdesk serve`)."""

from assistant.api.factory import create_app

__all__ = ["create_app"]
