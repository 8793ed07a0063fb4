"""The chat-completions request body, shared by the live model (openai.py) and the batch lines
(batch_lines.py), so a request sent live and the same request in a batch are one request. No
client library here: a batch file or an offline export needs none."""

from __future__ import annotations

import json

from .base import Message, Request


def chat_body(model: str, request: Request, use_schema: bool = True) -> dict:
    """The chat-completions body for a request, live or as a line of a batch file: structured
    output as `response_format: json_schema`, or (use_schema False, for endpoints without it)
    the schema as an instruction and the JSON parsed from the text."""
    messages = [m.model_dump() for m in request.messages]
    body: dict = {"model": model, "messages": messages, "temperature": request.temperature,
                  "max_tokens": request.max_tokens}
    if request.json_schema is not None:
        if use_schema:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.schema_name or "answer", "schema": request.json_schema, "strict": False}}
        else:
            body["messages"] = messages + [Message(role="user", content=(
                "Antworte ausschließlich mit einem JSON-Objekt nach diesem JSON-Schema, ohne Text davor "
                "oder danach:\n" + json.dumps(request.json_schema, ensure_ascii=False))).model_dump()]
    return body
