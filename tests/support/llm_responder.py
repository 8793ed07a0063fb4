"""Fake-server responders that answer like the offline models, so the whole pipeline can run over
real HTTP through the official openai client. Each reads what the endpoint receives: the messages
and, for structured output, the response format."""

from __future__ import annotations

from generator.llm.base import Message, Request
from generator.llm.mock import MockModel
from generator.llm.sloppy import SloppyModel, SloppyRates


def _request(body: dict) -> Request:
    messages = [Message(role=m["role"], content=m.get("content") or "") for m in body["messages"]]
    rf = body.get("response_format") or {}
    schema = (rf.get("json_schema") or {}).get("schema") if rf.get("type") == "json_schema" else None
    return Request(messages=messages, json_schema=schema, max_tokens=body.get("max_tokens") or 4096)


def mock_responder(seed: int = 1):
    model = MockModel(seed=seed)

    async def respond(body: dict) -> str:
        return (await model.complete(_request(body))).text

    return respond


def sloppy_responder(seed: int = 1, rates: SloppyRates | None = None):
    """The sloppy model behind the fake server; its answers cut at the token limit end with
    finish_reason "length", like a real endpoint's."""
    model = SloppyModel(seed=seed, rates=rates)

    def respond(body: dict) -> dict:
        response = model.answer(_request(body))
        return {"content": response.text, "finish_reason": response.finish_reason}

    return respond
