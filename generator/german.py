"""German language helpers: words, sentences, syllables, slugs, forms of address.

These define the figures the checker reports (see README, "What the figures mean").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from slugify import slugify as _slugify

from .hyphenation import hyphenator

# A word is a whitespace-separated token of visible text with at least one letter or digit:
# "KI-gestützte" is one word, "67%" is one word, a lone "–" or "&" is none (as in Yoast).
_WORD_RE = re.compile(r"\S*[^\W_]\S*")
_LETTERS_RE = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


@lru_cache(maxsize=256)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Exact phrase, case-insensitive, on word boundaries; any whitespace between its words."""
    parts = [re.escape(p) for p in keyword.split()]
    return re.compile(r"(?<![^\W_])" + r"\s+".join(parts) + r"(?![^\W_])", re.IGNORECASE)


@lru_cache(maxsize=4096)  # per paragraph and keyword (~35 posts): every check of a post asks again
def count_keyword(text: str, keyword: str) -> int:
    return len(keyword_pattern(keyword).findall(text))


# --- sentences -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _somajo():  # building the splitter takes ~0.25 s, so only when first needed
    from somajo import SoMaJo

    splitter = SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)
    _skip_emoji_scan_without_emoji(splitter)
    _precompile_module_patterns()
    return splitter


class _Precompiled:
    """The `regex` module as SoMaJo's modules call it (`re.sub(r"\\s", " ", text)` for every token),
    with each string pattern compiled once and kept: the same pattern object `regex` would build,
    without looking it up in regex's own cache on every call (a third of SoMaJo's offsets step)."""

    def __init__(self, module):
        self._module = module
        self._patterns: dict = {}

    def __getattr__(self, name):
        return getattr(self._module, name)

    def _compiled(self, pattern, flags):
        key = (type(pattern), pattern, flags)
        compiled = self._patterns.get(key)
        if compiled is None:
            if len(self._patterns) >= 512:  # bounded: markup offsets build a pattern per tag
                self._patterns.clear()
            compiled = self._patterns[key] = self._module.compile(pattern, flags)
        return compiled

    def sub(self, pattern, repl, string, count=0, flags=0, **kwargs):
        if kwargs:
            return self._module.sub(pattern, repl, string, count, flags, **kwargs)
        return self._compiled(pattern, flags).sub(repl, string, count)

    def search(self, pattern, string, flags=0, **kwargs):
        if kwargs:
            return self._module.search(pattern, string, flags, **kwargs)
        return self._compiled(pattern, flags).search(string)

    def match(self, pattern, string, flags=0, **kwargs):
        if kwargs:
            return self._module.match(pattern, string, flags, **kwargs)
        return self._compiled(pattern, flags).match(string)


def _precompile_module_patterns() -> None:
    """Speed only, same result: SoMaJo's alignment step calls `regex` with string patterns, and
    maps every character of an already NFC-normalised text to itself (see _offsets_of_nfc_text)."""
    import regex
    from somajo import alignment

    if getattr(alignment, "re", None) is regex:  # another SoMaJo version: leave it as it is
        alignment.re = _Precompiled(regex)
    general = getattr(alignment, "token_offsets", None)
    determine = getattr(alignment, "_determine_offsets", None)
    if general is not None and determine is not None and not hasattr(general, "general"):
        alignment.token_offsets = _offsets_of_nfc_text(general, determine)


def _offsets_of_nfc_text(general, determine):
    """SoMaJo's token_offsets for plain text that NFC normalisation leaves as it is (nearly all
    text): there its character alignment (three dictionaries over the whole text, a third of its
    offsets step) is the identity, so the offsets are _determine_offsets' own. Anything else (XML,
    text that normalisation changes) goes to SoMaJo's general path."""
    import unicodedata

    def token_offsets(token_list, raw, position, xml_input, tokens):
        if xml_input or not unicodedata.is_normalized("NFC", raw):
            return general(token_list, raw, position, xml_input, tokens)
        return [(start + position, end + position) for start, end in determine(tokens, raw, position)]

    token_offsets.general = general  # type: ignore[attr-defined]
    return token_offsets


def _skip_emoji_scan_without_emoji(splitter) -> None:
    """Speed only, same result: SoMaJo looks for emoji grapheme by grapheme with a regex each,
    half of its time on our texts. A token without any emoji character cannot gain an emoji
    boundary, so one compiled search per token decides whether the scan is needed at all."""
    import regex

    tokenizer = getattr(splitter, "_tokenizer", None)
    scan = getattr(tokenizer, "_split_emojis", None)
    if scan is None:  # another SoMaJo version: keep its own behaviour
        return
    emoji = regex.compile(r"[\p{Extended_Pictographic}\p{Emoji_Presentation}\uFE0F]")

    def split_emojis(node, token_class: str = "emoticon") -> None:
        if emoji.search(node.value.text):
            scan(node, token_class)

    tokenizer._split_emojis = split_emojis


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """SoMaJo's own German abbreviation lists ("bzw.", "ca.", "Dr.", "Abs." …), lowercased."""
    from importlib.util import find_spec

    # Found without importing SoMaJo (30 ms): a post with no doubtful paragraph never needs it.
    spec = find_spec("somajo")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    out: set[str] = set()
    for name in ("abbreviations_de.txt", "single_token_abbreviations_de.txt"):
        try:
            text = Path(folders[0], "data", name).read_text(encoding="utf-8")
        except (OSError, IndexError):
            continue
        out.update(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return frozenset(out)


# What the fast splitter (syntok) is known to get wrong, or might: ordinals and numbers before a
# period ("am 3. Oktober"), single-letter abbreviations ("z. B.", "u. a."), periods inside tokens
# ("z.B."), ellipses, quotes and brackets, and a lowercase word after a sentence mark.
_DOUBTFUL = re.compile(r"\d\.|(?<![^\W\d_])[^\W\d_]\.|\w\.\w|…|\.\.|[„“”\"«»‚‘’()\[\]]|[.!?:;]\s+[a-zäöüß]")
_TOKEN_BEFORE_PERIOD = re.compile(r"(\S+)\.(?=\s|$)")


def _doubtful(text: str) -> bool:
    if _DOUBTFUL.search(text):
        return True
    abbreviations = _abbreviations()
    return any(m.group(1).lower() + "." in abbreviations for m in _TOKEN_BEFORE_PERIOD.finditer(text))


def _split_somajo(text: str) -> tuple[str, ...]:
    out = []
    for sentence in _somajo().tokenize_text([text]):
        start, end = sentence[0].character_offset[0], sentence[-1].character_offset[1]
        out.append(text[start:end])
    return tuple(out)


def _split_syntok(text: str) -> tuple[str, ...]:
    import syntok.segmenter as segmenter

    out = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            start, end = sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)
            out.append(text[start:end])
    return tuple(out)


@lru_cache(maxsize=4096)  # bounded: a batch of any length holds at most this many paragraphs
def _split_cached(text: str) -> tuple[str, ...]:
    # SoMaJo decides every paragraph with anything a simpler splitter could get wrong; plain
    # paragraphs (words, commas, sentence marks before capitals) go to syntok, which agrees
    # with SoMaJo on them and is six times faster.
    return _split_somajo(text) if _doubtful(text) else _split_syntok(text)


def split_sentences(text: str) -> list[str]:
    """Split German text into sentences.

    "z. B.", "u. a.", "Nr. 5", ordinals ("am 3. Oktober", "im 2. Quartal"), "1.000 Euro" and
    quotes ending inside a sentence („Zitat.“) stay in one sentence: such paragraphs are split
    by SoMaJo, a splitter made for German. Results are cached per text because the repair loop
    re-checks mostly unchanged paragraphs.
    """
    if not text.strip():
        return []
    return list(_split_cached(text))


# --- syllables and readability ---------------------------------------------------------------

_VOWEL_GROUPS = re.compile(r"[aeiouyäöü]+", re.IGNORECASE)


@lru_cache(maxsize=16384)
def syllables(word: str) -> int:
    """Syllables of one word from the German hyphenation dictionary (pyphen, de_DE).

    Hyphenation points miss syllables in short words ("Idee"), so the count is at least the
    number of vowel groups' lower bound of 1 and uses the dictionary for everything else.
    Numbers and abbreviations without vowels count as one syllable.
    """
    total = 0
    for part in _LETTERS_RE.findall(word):
        hyphenated = len(hyphenator().positions(part)) + 1
        total += max(hyphenated, 1) if len(part) > 3 else max(1, min(2, len(_VOWEL_GROUPS.findall(part))))
    return max(total, 1)


@lru_cache(maxsize=4096)
def syllable_total(text: str) -> int:
    """Syllables of all the words of a text (a paragraph's, summed once)."""
    return sum(syllables(w) for w in words(text))


def flesch_amstad(word_list: list[str], sentence_count: int) -> float:
    """Flesch reading ease for German (Amstad 1978): 180 - ASL - 58.5 * ASW."""
    return flesch_amstad_counts(len(word_list), sum(syllables(w) for w in word_list), sentence_count)


def flesch_amstad_counts(word_count: int, syllable_count: int, sentence_count: int) -> float:
    if not word_count or sentence_count == 0:
        return 0.0
    asl = word_count / sentence_count
    asw = syllable_count / word_count
    return 180.0 - asl - 58.5 * asw


# --- slugs --------------------------------------------------------------------------------

_TRANSLIT = [("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ẞ", "SS")]

_STOP = ("der die das des dem den ein eine einer eines einem einen und oder im in am an auf aus bei "
         "mit nach von vor zu zum zur für über unter um durch als wie ist sind so auch nicht")
# Both spellings: slugify drops stop words after transliteration ("für" is "fuer" by then).
STOP_WORDS = frozenset(_STOP.split()) | frozenset(_STOP.replace("ü", "ue").split())


def slugify(text: str, max_length: int = 75, drop_stop_words: bool = False) -> str:
    """Lowercase ASCII slug with German transliteration (ä→ae, ß→ss), cut at a word boundary."""
    stop = sorted(STOP_WORDS) if drop_stop_words else ()
    return _slugify(text, replacements=_TRANSLIT, max_length=max_length, word_boundary=True,
                    stopwords=stop, lowercase=True)


def content_words(phrase: str) -> list[str]:
    """The slug parts of a phrase that carry meaning (stop words dropped)."""
    return [w for w in slugify(phrase).split("-") if w and w not in STOP_WORDS]


# --- forms of address ----------------------------------------------------------------------

_DU_RE = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines|euch|euer|eure|euren|eurem)\b",
                    re.IGNORECASE)
_SIE_RE = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")


@lru_cache(maxsize=4096)
def address_violations_in(text: str, address: str) -> tuple[str, ...]:
    """address_violations of a paragraph's sentences."""
    return tuple(address_violations(split_sentences(text), address))


def address_violations(sentences: list[str], address: str) -> list[str]:
    """Words that contradict the brief's form of address ("Sie" or "du")."""
    found: list[str] = []
    for sentence in sentences:
        if address == "Sie":
            found += [m.group(0) for m in _DU_RE.finditer(sentence)]
        else:
            for m in _SIE_RE.finditer(sentence):
                # A capitalised "Sie"/"Ihre" opening a sentence may be third person; mid-sentence it is formal.
                if m.start() > 0 or m.group(0) == "Ihnen":
                    found.append(m.group(0))
    return found


# --- language -----------------------------------------------------------------------------

_DE_FUNCTION = frozenset(
    "der die das und ist nicht ein eine sie ihr ihre wir mit für auf den dem des von zu im in "
    "auch sich es wird werden sind bei oder wie aus nur noch als dass durch mehr kann können".split()
)
_EN_FUNCTION = frozenset(
    "the and is are not a an you your we with for on of to in it this that be will by or as "
    "from at can more have has which their our".split()
)


@lru_cache(maxsize=4096)
def looks_german(text: str) -> bool | None:
    """True/False from function-word counts; None when the text is too short to tell."""
    tokens = [t.lower() for t in _LETTERS_RE.findall(text)]
    de = sum(t in _DE_FUNCTION for t in tokens)
    en = sum(t in _EN_FUNCTION for t in tokens)
    if de + en < 3:
        return None
    return de >= en
