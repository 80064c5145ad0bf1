"""Answers written by a language model, every sentence checked against the passages it cites.

`factory` builds the chat model per backend kind, `prompts` holds every prompt, `verify` checks
sentences against passages, `answerer` ties them together behind the `Answerer` protocol.
"""
