"""Errors that end a run with a clear one-line message (the CLI maps them to exit codes)."""

from __future__ import annotations


class GenpostError(Exception):
    """Base class: the message is the one line the user sees."""

    exit_code = 1


class InputError(GenpostError):
    """Bad input (brief, CSV, post file, flag): exit 2, never a traceback."""

    exit_code = 2

    def __init__(self, source: str, field: str | None, problem: str, fix: str | None = None):
        self.source = source
        self.field = field
        self.problem = problem
        self.fix = fix
        parts = [p for p in (source, field) if p]
        if field and problem.startswith(("must ", "is ", "has ")):
            # A sentence about the field reads as one: "targets.words_min must be at least 0".
            parts[-1] = f"{field} {problem}"
            text = ": ".join(parts)
        else:
            text = ": ".join(parts + [problem])
        if fix:
            text += f" ({fix})"
        super().__init__(text)


class PostFailsChecks(InputError):
    """A post that fails its checks was asked to be published without --publish-failed: exit 1,
    like any failing post, and the other posts of the run go on."""

    exit_code = 1


class OutputError(GenpostError):
    """The output folder could not be written (read-only, full disk): exit 2. The message says
    what was kept (paid LLM answers are in the journal, so a rerun pays for nothing twice)."""

    exit_code = 2


class LLMUnavailable(GenpostError):
    """The LLM endpoint could not be reached or refused us after retries: exit 3."""

    exit_code = 3


class PublishError(GenpostError):
    """WordPress refused or could not be reached: exit 3."""

    exit_code = 3
