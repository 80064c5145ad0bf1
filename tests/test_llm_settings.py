"""The language-model settings: chosen by name, checked, and the key taken from the
environment without ever being required for local servers."""

from __future__ import annotations

import pytest

from assistant.settings import SettingsError, load_settings


def test_the_extractive_answerer_is_the_default_and_a_backend_is_chosen_by_name():
    assert load_settings(environ={}).llm.backend == "extractive"
    env = {"NEWSDESK_LLM_BACKEND": "openai", "NEWSDESK_LLM_BASE_URL": "http://127.0.0.1:9/v1"}
    llm = load_settings(environ=env).llm
    assert (llm.backend, llm.base_url) == ("openai", "http://127.0.0.1:9/v1")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("NEWSDESK_LLM_BACKEND", "gpt"), ("NEWSDESK_LLM_LOCAL_MODEL", "7b"),
     ("NEWSDESK_LLM_UNSUPPORTED", "keep")],
)  # fmt: skip
def test_an_unknown_choice_is_refused_naming_the_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ={variable: value})


def test_the_api_key_comes_from_newsdesk_or_else_openai_variables():
    assert load_settings(environ={"OPENAI_API_KEY": "sk-a"}).llm.api_key == "sk-a"
    both = {"OPENAI_API_KEY": "sk-a", "NEWSDESK_LLM_API_KEY": "sk-b"}
    assert load_settings(environ=both).llm.api_key == "sk-b"
    assert load_settings(environ={}).llm.api_key == ""
