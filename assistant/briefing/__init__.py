"""Briefings: what happened with a topic over a period, as a dated timeline of events.

`build.brief` gathers the period's articles about the topic (the store's filtered search),
groups them into events (assistant/stories/grouping.py), and gives each event its date, one
or two cited sentences, its outlets and the figures they gave differently (a disagreement
on one day, or a change over days). `question` says when a chat question asks for one.
"""

from __future__ import annotations

from assistant.briefing.model import Briefing, BriefingEvent, Difference

__all__ = ["Briefing", "BriefingEvent", "Difference"]
