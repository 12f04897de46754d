"""Schema of the plan file's ``knowledge`` section: the topics the bot answers questions from.

Placeholder shape; the question engine owns and extends it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    sections: list[str] = []
    phrasings: list[str] = []
    answer: str


class Knowledge(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    topics: list[Topic] = []
