"""A fake-server responder that answers like the mock model, so the whole pipeline can run over
real HTTP through the official openai client."""

from __future__ import annotations

from generator.llm.base import Message, Request
from generator.llm.mock import MockModel


def mock_responder(seed: int = 1):
    model = MockModel(seed=seed)

    async def respond(body: dict) -> str:
        messages = [Message(role=m["role"], content=m.get("content") or "") for m in body["messages"]]
        return (await model.complete(Request(messages=messages))).text

    return respond
