"""The image model layer: the mock, the OpenAI-compatible model against the fake server, the
client's retries, refusals and cache, and the per-image prices."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from generator.images import load_image
from generator.llm import ImageSettings, make_image_client
from generator.llm.errors import ContentPolicyRefusal, FatalError
from generator.llm.image import ImageRequest
from generator.llm.image_cache import LedgerImageCache
from generator.llm.ledger import Ledger
from generator.llm.image_client import ImageClient
from generator.llm.image_mock import MockImageModel
from generator.llm.image_openai import OpenAIImageModel
from generator.llm.pricing import estimate_image_cost, reset_prices
from generator.retry import RetryPolicy

from .support.fake_openai import FakeOpenAI

FAST = RetryPolicy(attempts=3, total_seconds=10, initial=0.01, maximum=0.05)
REQUEST = ImageRequest(prompt="Ein Team bespricht die ERP-Einführung am Whiteboard, helles Büro, Fotografie",
                       size="1536x1024", quality="medium", purpose="featured")


def run(coro):
    return asyncio.run(coro)


def client_for(fake: FakeOpenAI, model: str = "gpt-image-1", **kwargs) -> ImageClient:
    return ImageClient(model=OpenAIImageModel(model, api_key="sk-test", base_url=fake.url), policy=FAST, **kwargs)


async def generate(client: ImageClient, request: ImageRequest = REQUEST):
    try:
        return await client.generate(request)
    finally:
        await client.aclose()


# --- the mock ----------------------------------------------------------------------------------

def test_the_mock_draws_the_same_real_png_for_the_same_request():
    model = MockImageModel()
    first, again = run(model.generate(REQUEST)), run(model.generate(REQUEST.model_copy(update={"purpose": "x"})))
    assert first.data == again.data  # purpose is not part of the request's identity
    assert first.format == "png" and first.size == "1536x1024" and not model.paid
    image = load_image(first.data, "mock.png")
    assert image.format == "PNG" and image.size == (1536, 1024)
    assert len(image.convert("RGB").getcolors(1 << 24)) > 5  # a picture, not a blank
    other = run(model.generate(REQUEST.model_copy(update={"prompt": "Ein Lager mit Gabelstapler"})))
    assert other.data != first.data
    square = run(model.generate(REQUEST.model_copy(update={"size": "1024x1024"})))
    assert Image.open(io.BytesIO(square.data)).size == (1024, 1024)


def test_the_mock_costs_nothing_and_is_never_cached(tmp_path):
    client = make_image_client(ImageSettings(model="mock", ledger=tmp_path / "genpost.db"))
    assert client.cache is None
    run(client.generate(REQUEST))
    assert client.usage.images == 1 and client.usage.cost_usd == 0.0
    assert not any(tmp_path.iterdir())


def test_requests_are_validated():
    with pytest.raises(ValueError):
        ImageRequest(prompt="Bild", size="groß")
    with pytest.raises(ValueError):
        ImageRequest(prompt="  ")
    assert ImageRequest(prompt="Bild", size="auto").dimensions() == (1024, 1024)


# --- the OpenAI-compatible model ----------------------------------------------------------------

def test_an_image_comes_back_as_bytes_with_what_the_price_needs():
    with FakeOpenAI() as fake:
        client = client_for(fake)
        response = run(generate(client))
        [sent] = fake.image_requests
    assert sent["model"] == "gpt-image-1" and sent["size"] == "1536x1024" and sent["quality"] == "medium"
    assert sent["n"] == 1 and "response_format" not in sent and "purpose" not in sent
    assert sent["prompt"] == REQUEST.prompt
    assert response.format == "png" and response.size == "1536x1024" and response.quality == "medium"
    assert load_image(response.data, "answer").size == (1536, 1024)
    assert response.output_tokens > 0 and not response.cached
    assert client.usage.images == 1 and client.usage.requests == 1
    assert client.usage.cost_usd == pytest.approx(0.063)


def test_dall_e_is_asked_for_b64_json_and_a_url_answer_is_refused(monkeypatch):
    with FakeOpenAI() as fake:
        response = run(generate(client_for(fake, "dall-e-3"), ImageRequest(prompt="Ein Haus", quality="standard")))
        assert fake.image_requests[-1]["response_format"] == "b64_json"
        assert response.revised_prompt == "Ein Haus" and response.format == "png"
        # An endpoint that answers with a URL anyway (here: the parameter not sent) is refused.
        monkeypatch.setattr(OpenAIImageModel, "_kwargs", lambda self, r: {"model": self.name, "prompt": r.prompt, "n": 1})
        with pytest.raises(FatalError, match="URL instead of the image"):
            run(generate(client_for(fake, "dall-e-3"), ImageRequest(prompt="Ein Haus")))


def test_a_429_is_retried_then_the_image_comes():
    with FakeOpenAI(faults_script=["429", None]) as fake:
        client = client_for(fake)
        response = run(generate(client))
        assert [r["_status"] for r in fake.image_requests] == [429, 200]
    assert response.retries == 1
    assert client.usage.requests == 2 and client.usage.retries == 1 and client.usage.images == 1
    assert client.usage.retry_reasons == {"rate limited": 1}


def test_a_server_error_that_persists_ends_as_a_transient_error():
    from generator.llm.errors import TransientError

    with FakeOpenAI(faults_script=["500", "503", "500"]) as fake:
        with pytest.raises(TransientError):
            run(generate(client_for(fake)))
        assert len(fake.image_requests) == FAST.attempts


@pytest.mark.parametrize("model, code", [("gpt-image-1", "moderation_blocked"), ("dall-e-3", "content_policy_violation")])
def test_a_refused_prompt_is_a_content_policy_refusal_and_not_retried(model, code):
    with FakeOpenAI(image_refuse_words=["Waffe"]) as fake:
        client = client_for(fake, model)
        with pytest.raises(ContentPolicyRefusal) as info:
            run(generate(client, ImageRequest(prompt="Eine Waffe auf dem Schreibtisch")))
        assert len(fake.image_requests) == 1 and fake.image_requests[0]["_status"] == 400
    assert not isinstance(info.value, FatalError)  # a batch goes on: the next prompt may pass
    assert "content policy" in str(info.value) and "\n" not in str(info.value)
    assert client.usage.refusals == 1 and client.usage.images == 0 and client.usage.retries == 0


def test_a_rejected_key_is_fatal():
    with FakeOpenAI(require_key="sk-right") as fake:
        with pytest.raises(FatalError, match="API key was rejected"):
            run(generate(client_for(fake)))


# --- the cache ---------------------------------------------------------------------------------

def store(tmp_path) -> LedgerImageCache:
    return LedgerImageCache(Ledger(tmp_path / "genpost.db"))  # a new run: a new connection, the same file


def test_a_rerun_pays_for_no_image_twice(tmp_path):
    with FakeOpenAI() as fake:
        first = client_for(fake, cache=store(tmp_path))
        paid = run(generate(first))
        assert len(fake.image_requests) == 1
        second = client_for(fake, cache=store(tmp_path))  # a new run: new client, same ledger
        again = run(generate(second))
        assert len(fake.image_requests) == 1  # no second request
        assert again.cached and again.data == paid.data and again.size == paid.size
        assert second.usage.cached == 1 and second.usage.cost_usd == 0.0 and second.usage.requests == 0
        # Another prompt is another image.
        run(generate(client_for(fake, cache=store(tmp_path)), REQUEST.model_copy(update={"prompt": "Lager"})))
        assert len(fake.image_requests) == 2
        # A damaged cached image is not trusted: asked again.
        [png] = [p for p in tmp_path.rglob("*.png") if p.read_bytes() == paid.data]
        png.write_bytes(paid.data[:100])
        run(generate(client_for(fake, cache=store(tmp_path))))
        assert len(fake.image_requests) == 3


def test_make_image_client_caches_paid_models(tmp_path):
    client = make_image_client(ImageSettings(model="gpt-image-1", api_key="sk-x", base_url="http://127.0.0.1:9/v1",
                                             ledger=tmp_path / "genpost.db"))
    assert isinstance(client.cache, LedgerImageCache) and client.model.name == "gpt-image-1"
    assert "sk-x" not in repr(ImageSettings(api_key="sk-x"))
    run(client.aclose())


# --- prices ------------------------------------------------------------------------------------

def test_image_prices(monkeypatch, tmp_path):
    assert estimate_image_cost("gpt-image-1", "medium", "1536x1024") == 0.063
    assert estimate_image_cost("gpt-image-1", "low", "1024x1024") == 0.011
    assert estimate_image_cost("gpt-image-1", None, "1024x1024") == 0.167  # unknown quality: the dearest
    assert estimate_image_cost("gpt-image-1-2025-04-15", "high", "1536x1024") == 0.25  # a dated snapshot
    assert estimate_image_cost("gpt-image-1.5", "high", "1536x1024") is None  # another model, not a snapshot
    assert estimate_image_cost("dall-e-3", "hd", "1792x1024") == 0.12
    assert estimate_image_cost("dall-e-3", "standard", "1024x1024") == 0.04
    assert estimate_image_cost("gpt-image-1", "medium", "800x600") is None
    assert estimate_image_cost("mock", None, "1536x1024") == 0.0
    prices = tmp_path / "prices.yaml"
    prices.write_text("flux-local: {per_image: 0.002}\nmy-text: {input: 1, output: 2}\n", encoding="utf-8")
    monkeypatch.setenv("GENPOST_PRICES", str(prices))
    reset_prices()
    try:
        assert estimate_image_cost("flux-local", "high", "1536x1024") == 0.002
        assert estimate_image_cost("my-text", None, "1024x1024") is None
    finally:
        monkeypatch.delenv("GENPOST_PRICES")
        reset_prices()
