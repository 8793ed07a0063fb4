"""What a batch keeps does not grow with its rows: every cache is bounded, a post read once for its
preview leaves nothing in them, and the preview holds one block's parse at a time."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import generator
from generator.annotate import annotate
from generator.brief import load_brief
from generator.post import Document, Post, _block_view

from .conftest import DATA

# The largest number of entries a cache may hold: the posts in flight, never every post.
ENTRY_BOUND = 8192
# Caches of small entries (a syllable count, a bool per token and form, a sentence's words at
# ~400 a post): bounded, but allowed more.
SMALL_VALUES = {"generator.german.syllables": 16384, "generator.checks.yoast.keyphrase._token_match_cached": 65536,
                "generator.checks.yoast.text._words_from_tokens": 16384}


def _caches():
    for info in pkgutil.walk_packages(generator.__path__, "generator."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if isinstance(obj, functools._lru_cache_wrapper) and obj.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


def test_every_cache_is_bounded_by_the_posts_in_flight():
    found = dict(_caches())
    assert "generator.post._block_view" in found and "generator.german.count_keyword" in found
    for name, cache in found.items():
        maxsize = cache.cache_info().maxsize
        assert maxsize is not None, f"{name} is unbounded: it would grow with a batch's rows"
        assert maxsize <= SMALL_VALUES.get(name, ENTRY_BOUND), f"{name} holds {maxsize} entries"


def _post(n: int) -> Post:
    paragraphs = "".join(f"<!-- wp:paragraph -->\n<p>Absatz {n}-{i}: Die Digitalisierung im Handwerk spart "
                         f"Zeit und Geld, sagt Betrieb {n}.</p>\n<!-- /wp:paragraph -->\n\n" for i in range(20))
    return Post(markup=f"<!-- wp:heading -->\n<h2>Abschnitt {n}</h2>\n<!-- /wp:heading -->\n\n{paragraphs}")


def test_a_post_read_once_leaves_no_block_views_behind():
    before = _block_view.cache_info().currsize
    doc = Document(_post(10_001), cached=False)
    assert len(doc.paragraphs) == 20 and doc.paragraphs[0].text.startswith("Absatz 10001-0")
    assert _block_view.cache_info().currsize == before
    Document(_post(10_002))
    assert _block_view.cache_info().currsize == min(before + 21, _block_view.cache_info().maxsize)


def test_the_block_view_cache_stays_at_its_bound_however_many_posts():
    bound = _block_view.cache_info().maxsize
    for n in range(bound // 21 + 5):  # more blocks than the cache holds
        Document(_post(n))
    assert _block_view.cache_info().currsize == bound


def test_the_preview_holds_no_parse_of_a_block_it_has_read():
    brief = load_brief(DATA / "small.yaml")
    doc = Document(_post(20_001), cached=False)
    content = annotate(doc, brief, "Titel")
    assert len(content.blocks) == 21
    assert all("root" not in vars(el) for el in doc.elements)  # each parse dropped once read
    assert doc.elements[1].root is not None  # and parsed again when asked for
