"""German prompts live as Jinja2 files in prompts/; this renders them into chat messages."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import jinja2

from .brief import Brief
from .checks.aims import aims, transition_examples
from .fsutil import data_dir
from .llm.base import Message, Request

PROMPTS_DIR = data_dir("prompts")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # Prompts are plain text for the model: no HTML escaping, but undefined names are errors.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PROMPTS_DIR), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def render_prompt(name: str, **context: Any) -> str:
    return _env().get_template(name).render(**context).strip()


def build_request(brief: Brief, prompt: str, *, purpose: str, schema: dict | None = None,
                  schema_name: str | None = None, max_tokens: int = 4096, temperature: float = 0.7,
                  task: dict | None = None, **context: Any) -> Request:
    """A chat request from a prompt file. `task` is the same task in machine-readable form, for the
    offline mock only: it is never sent (a real model gets everything from the prompt's words)."""
    # Every prompt may state the SEO plugin's bounds in words (aims: what the profile's checks demand).
    a = aims(brief)
    messages = [Message(role="system", content=render_prompt("system.j2", brief=brief)),
                Message(role="user", content=render_prompt(prompt, brief=brief, aims=a,
                                                           transition_examples=transition_examples(),
                                                           transition_tenths=transition_tenths(a.transition_share),
                                                           **context))]
    return Request(messages=messages, json_schema=schema, schema_name=schema_name, purpose=purpose,
                   max_tokens=max_tokens, temperature=temperature, task=task)


def transition_tenths(share: float | None) -> int:
    """How many of 10 sentences a prompt asks to hold a transition word: the plugin's minimum share
    and one more, since headings count as sentences without one and a model writes fewer than asked."""
    return min(10, math.ceil((share or 0) / 10) + 1)


def with_correction(request: Request, answer: str, problem: str) -> Request:
    """The same request once more, with the unusable answer and what was wrong with it."""
    fix = render_prompt("fix.j2", problem=problem)
    return request.model_copy(update={"messages": request.messages + [
        Message(role="assistant", content=answer[:4000]), Message(role="user", content=fix)],
        "purpose": request.purpose + ":retry"})
