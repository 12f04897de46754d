"""Answering focal points' questions from the plan's ``knowledge`` section.

``Engine(plan, learned)`` builds everything once; ``engine.answer(text, asker_unit, world)``
returns an ``Answer`` (text with its citation, matched flag, score, topic, suggestions).
"""

from messages.knowledge.engine import Answer, Engine

__all__ = ["Answer", "Engine"]
