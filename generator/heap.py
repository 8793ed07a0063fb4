"""The garbage collector's view of a long run.

A run of many posts keeps what it loaded at start (modules, pydantic's schemas, the splitters,
the hyphenation patterns) for its whole life, and every full collection walks all of it again:
about a tenth of the pipeline's own time per post. Frozen once the run is set up, those objects
are left out of every later collection; what the posts create is collected as before.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Call once, after the run's modules are imported and before its posts."""
    gc.collect()  # what start-up left as garbage goes now, not frozen with the rest
    gc.freeze()
