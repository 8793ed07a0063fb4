"""Image files: read an image safely, make it fit for the web, name it, describe it, pick it.

Pure: no LLM, no network. Whatever a file holds, load_image either returns a decoded image or
raises ImageRefused with one line that names the file (never its content); the run goes on.

- load_image: JPEG, PNG and WebP only; refuses empty, non-image, damaged and cut-off files,
  more than 40 megapixels (Pillow's decompression-bomb guard, set to that limit, trips before any
  pixel is decoded), more than 50 MB, and anything that is not a regular file (/proc, /dev, FIFOs,
  symlinks to them).
- prepare: EXIF orientation applied, colours converted to sRGB, every piece of metadata dropped
  (EXIF with GPS, XMP, ICC profile, text chunks), resized down to the width, encoded as WebP (alpha
  kept when used) or JPEG with the highest quality that stays within max_bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from PIL import ExifTags, Image, ImageCms, ImageOps

from .errors import InputError
from .german import STOP_WORDS, slugify

MAX_PIXELS = 40_000_000
MAX_FILE_BYTES = 50 * 1024 * 1024
FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}  # Pillow's name -> ours
MIME = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
_SYSTEM_DIRS = ("/proc/", "/sys/")  # regular-looking files that are not files; /dev is caught by type

# Pillow's decompression-bomb guard at our limit, in Image.open, from the header alone, before
# anything is decoded: above twice the limit an error; above the limit a warning, made an error
# here once for the whole process (a context manager per call would not be thread-safe). Our own
# size check after opening stays in force should anyone reset the warning filters.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


class ImageRefused(InputError):
    """A file that is not used as an image; the message is one line naming the file."""

    def __init__(self, source: str, problem: str, fix: str | None = None):
        super().__init__(source, None, problem, fix)


# --- reading ---------------------------------------------------------------------------------

def _open_regular(path: Path, source: str) -> BinaryIO:
    """Open for reading only if it is a regular file outside /proc and /sys. O_NONBLOCK:
    opening a FIFO must not wait for a writer; the type is then checked on the open file, so it
    cannot be swapped in between."""
    real = os.path.realpath(path)
    if any((real + "/").startswith(d) for d in _SYSTEM_DIRS):
        raise ImageRefused(source, "not a regular file (a system file)")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ImageRefused(source, "no such file") from None
    except PermissionError:
        raise ImageRefused(source, "cannot be read (permission denied)") from None
    except OSError as e:
        raise ImageRefused(source, f"cannot be read ({e.strerror or type(e).__name__})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a device, pipe or socket"
            raise ImageRefused(source, f"not a regular file ({kind})")
        if st.st_size > MAX_FILE_BYTES:
            raise ImageRefused(source, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read(path: Path, source: str) -> bytes:
    with _open_regular(path, source) as f:
        data = f.read(MAX_FILE_BYTES + 1)  # the size on disk may have changed since fstat
    if len(data) > MAX_FILE_BYTES:
        raise ImageRefused(source, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return data


def _too_many_pixels(error: Exception | str) -> str:
    m = re.search(r"\((\d+) pixels\)", str(error))
    size = f"{int(m.group(1)) / 1e6:.1f} megapixels, " if m else ""
    return f"too large ({size}the limit is {MAX_PIXELS // 1_000_000} megapixels)"


def _other_format(data: bytes) -> str | None:
    """The name of a format Pillow knows but we do not take (GIF, TIFF, BMP …), if any."""
    try:
        with Image.open(io.BytesIO(data)) as other:
            return other.format
    except Exception:  # noqa: BLE001 - any failure just means "not an image we can name"
        return None


def load_image(path_or_bytes: Path | str | bytes, source: str) -> Image.Image:
    """The decoded image (first frame), or ImageRefused in one line naming `source`."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else _read(Path(path_or_bytes), source)
    if not data:
        raise ImageRefused(source, "empty file")
    fix = "use JPEG, PNG or WebP files"
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageRefused(source, _too_many_pixels(e)) from None
    except Image.UnidentifiedImageError:
        other = _other_format(data)
        if other:
            raise ImageRefused(source, f"{other} images are not supported", fix) from None
        raise ImageRefused(source, "not an image", fix) from None
    except Exception:  # noqa: BLE001 - a header Pillow cannot parse, however it fails
        raise ImageRefused(source, "damaged image (the header cannot be read)") from None
    if image.width < 1 or image.height < 1:
        raise ImageRefused(source, "not an image (no pixels)")
    if image.width * image.height > MAX_PIXELS:
        raise ImageRefused(source, _too_many_pixels(f"({image.width * image.height} pixels)"))
    try:
        if image.format == "PNG":  # checks every chunk's checksum, cheaply (no decoding)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as check:
                check.verify()
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ImageRefused(source, _too_many_pixels(e)) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, MemoryError):
        raise ImageRefused(source, "damaged or cut-off image") from None
    return image


# --- preparing for the web -----------------------------------------------------------------------

DEFAULT_QUALITY = {"webp": 82, "jpeg": 85}
MIN_QUALITY = 40  # below this, artefacts show on photos; a file still over the limit is reported


@dataclass(frozen=True)
class PreparedImage:
    data: bytes = field(repr=False)
    width: int
    height: int
    format: str  # "webp" | "jpeg"
    mime: str
    sha256: str
    quality: int
    within_limit: bool  # False: even MIN_QUALITY gave more than max_bytes (see note)
    note: str | None = None

    @property
    def ext(self) -> str:
        return "jpg" if self.format == "jpeg" else self.format

    @property
    def size_bytes(self) -> int:
        return len(self.data)


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as they look with the embedded ICC profile, in sRGB (what browsers assume for an
    image without a profile). Without a profile, or with a broken one, the values stay as they are."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit grey: keep the top 8 bits
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    icc = image.info.get("icc_profile")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "srgb" not in (ImageCms.getProfileDescription(profile) or "").lower():
                mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
                if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                    image = image.convert(mode)
                converted = ImageCms.profileToProfile(image, profile, _srgb(), outputMode=mode)
                if converted is not None:
                    image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile littleCMS cannot use: keep the values
    return image


def _flatten(image: Image.Image, keep_alpha: bool) -> Image.Image:
    """RGB, or RGBA when some pixel is actually see-through (and keep_alpha)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] == 255:  # alpha present but fully opaque
            return rgba.convert("RGB")
        if keep_alpha:
            return rgba
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        # method 4 (Pillow's default): method 6 saves ~5 % more at twice the time.
        image.save(out, format="WEBP", quality=quality, method=4, exif=b"", icc_profile=None, xmp=b"")
    else:
        image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True, exif=b"",
                   icc_profile=None)
    return out.getvalue()


def _search(clean: Image.Image, fmt: str, max_bytes: int) -> tuple[int, bytes]:
    """The highest quality ≤ DEFAULT_QUALITY whose file fits max_bytes (binary search down to
    MIN_QUALITY: at most 8 encodings), or MIN_QUALITY's file when none fits."""
    best_q, best = DEFAULT_QUALITY[fmt], _encode(clean, fmt, DEFAULT_QUALITY[fmt])
    if len(best) <= max_bytes:
        return best_q, best
    low = _encode(clean, fmt, MIN_QUALITY)
    if len(low) > max_bytes:
        return MIN_QUALITY, low
    lo, hi = MIN_QUALITY, DEFAULT_QUALITY[fmt] - 1  # lo fits; find the highest that fits
    best_q, best = lo, low
    while lo < hi:
        mid = (lo + hi + 1) // 2
        data = _encode(clean, fmt, mid)
        if len(data) <= max_bytes:
            lo, best_q, best = mid, mid, data
        else:
            hi = mid - 1
    return best_q, best


def prepare(image: Image.Image, width: int, max_bytes: int = 200_000, *, format: str = "webp") -> PreparedImage:
    """The image for the web: upright, sRGB, without metadata, at most `width` wide (never
    upscaled), WebP (alpha kept when used) or JPEG (alpha flattened onto white), with the
    highest quality whose file fits max_bytes.

    WebP is preferred; for an opaque image that WebP cannot fit even at MIN_QUALITY, JPEG is
    tried too (on fine detail JPEG sometimes fits where WebP does not), so the result's format
    may be "jpeg": name the file by its `ext`. When nothing fits, within_limit is False and the
    note says by how much."""
    if width < 1:
        raise ValueError("width must be at least 1")
    if format not in DEFAULT_QUALITY:
        raise ValueError(f"format must be webp or jpeg, not {format!r}")
    # exif_transpose copies the whole image when there is nothing to turn: ask it only when there is.
    turned = image.getexif().get(ExifTags.Base.Orientation, 1) in range(2, 9)
    work = ImageOps.exif_transpose(image) if turned else image
    work = _to_srgb(work)
    work = _flatten(work, keep_alpha=format == "webp")
    if work.width > width:
        height = max(1, round(work.height * width / work.width))
        work = work.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A fresh image: nothing of the source's info (EXIF, XMP, ICC, text) can reach the encoder.
    clean = Image.new(work.mode, work.size)
    clean.paste(work)

    fmt = format
    quality, data = _search(clean, fmt, max_bytes)
    note = None
    if len(data) > max_bytes and fmt == "webp" and clean.mode == "RGB":
        jpeg_quality, jpeg = _search(clean, "jpeg", max_bytes)
        if len(jpeg) <= max_bytes:
            note = f"JPEG instead of WebP: WebP stayed over {max_bytes:,} bytes even at quality {MIN_QUALITY}"
            fmt, quality, data = "jpeg", jpeg_quality, jpeg
    within = len(data) <= max_bytes
    if not within:
        note = (f"{len(data):,} bytes at quality {MIN_QUALITY}, over the limit of {max_bytes:,} bytes; "
                "the source allows no smaller file at this width")
    return PreparedImage(data=data, width=clean.width, height=clean.height, format=fmt, mime=MIME[fmt],
                         sha256=hashlib.sha256(data).hexdigest(), quality=quality, within_limit=within, note=note)


# --- names ---------------------------------------------------------------------------------

MAX_STEM = 60


def seo_filename(alt_text: str, ext: str, taken: set[str]) -> str:
    """A short slug file name from the alt text (German transliteration, stop words dropped,
    ≤ 60 characters before the extension), unique among `taken` (full file names; the caller
    adds the result): "digitalisierung-mittelstand.webp", then "…-2.webp"."""
    ext = ext.lower().lstrip(".")
    stem = slugify(alt_text, max_length=MAX_STEM, drop_stop_words=True) or slugify(alt_text, max_length=MAX_STEM)
    stem = stem or "bild"
    taken_lower = {t.lower() for t in taken}
    name, n = f"{stem}.{ext}", 1
    while name in taken_lower:
        n += 1
        suffix = f"-{n}"
        base = slugify(stem.replace("-", " "), max_length=MAX_STEM - len(suffix)) or stem[: MAX_STEM - len(suffix)]
        name = f"{base}{suffix}.{ext}"
    return name


# --- describing and picking folder images ----------------------------------------------------------

MAX_DESCRIPTION = 300
_EXIF_TEXT = {0x010E: "ImageDescription", 0x9C9B: "XPTitle", 0x9C9F: "XPSubject", 0x9C9E: "XPKeywords",
              0x9C9C: "XPComment"}
_TEXT_KEYS = {"description", "title", "subject", "keywords", "comment"}
_CAMERA_DEFAULTS = {"olympus digital camera", "sony dsc", "digital camera", "default", "image", "untitled"}


def _plain(value: Any) -> str:
    if isinstance(value, (bytes, tuple, list)) and not isinstance(value, str):
        raw = bytes(value) if not isinstance(value, bytes) else value
        # XP* tags are UTF-16LE; ImageDescription is ASCII/UTF-8 by the book, Latin-1 in practice.
        if len(raw) >= 2 and raw[1:2] == b"\x00":
            text = raw.decode("utf-16-le", "ignore")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
    else:
        text = str(value)
        try:  # Pillow reads EXIF text as Latin-1; cameras and editors mostly write UTF-8
            if not text.isascii():
                text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


def _xmp_texts(node: Any, wanted: bool = False) -> list[str]:
    """Strings under dc:description, dc:title and dc:subject in Pillow's XMP dictionary."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "lang":
                continue
            inside = wanted or key in ("description", "title", "subject")
            out.extend(_xmp_texts(value, inside))
    elif isinstance(node, list):
        for item in node:
            out.extend(_xmp_texts(item, wanted))
    elif wanted and isinstance(node, str):
        out.append(node)
    return out


def _embedded_texts(image: Image.Image) -> list[str]:
    texts: list[str] = []
    try:
        exif = image.getexif()
        texts += [exif[tag] for tag in _EXIF_TEXT if tag in exif]
    except Exception:  # noqa: BLE001 - a broken EXIF block just offers no words
        pass
    for key, value in image.info.items():  # PNG tEXt/iTXt/zTXt chunks land here
        if isinstance(key, str) and key.lower() in _TEXT_KEYS and isinstance(value, str):
            texts.append(value)
    try:
        texts += _xmp_texts(image.getxmp())
    except Exception:  # noqa: BLE001 - broken XMP: no words from it
        pass
    return texts


def describe_file(path: Path) -> str:
    """The words a folder image offers for matching: its file name, then any embedded
    description (EXIF ImageDescription and XP* tags, PNG text chunks, XMP dc:description/title/
    subject), as one line of plain text of at most 300 characters. Reads headers only; a file
    that cannot be read offers its name."""
    path = Path(path)
    parts = [" ".join(re.split(r"[\W_]+", path.stem)).strip()]
    try:
        with _open_regular(path, str(path)) as f, Image.open(f, formats=list(FORMATS)) as image:
            parts += _embedded_texts(image)
    except Exception:  # noqa: BLE001 - describing never fails; load_image says what is wrong
        pass
    seen: set[str] = set()
    kept: list[str] = []
    for part in (_cut(_plain(p), MAX_DESCRIPTION // 2) for p in parts):
        if part and part.lower() not in seen and part.lower() not in _CAMERA_DEFAULTS:
            seen.add(part.lower())
            kept.append(part)
    return _cut(" ".join(kept), MAX_DESCRIPTION)


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space when one is near the end."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


_ENDINGS = ("ern", "en", "er", "es", "e", "n", "s")


def _stem(word: str) -> str:
    """A crude German stem, enough to match "Mitarbeitern" with "Mitarbeiter", "Büros" with "Büro"."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def match_words(text: str) -> set[str]:
    """Normalised content words: lowercase ASCII with umlauts transliterated, stop words and
    numbers dropped, stemmed."""
    words = slugify(text, max_length=0).split("-")
    return {_stem(w) for w in words if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS}


@lru_cache(maxsize=1024)
def _described(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    return frozenset(match_words(describe_file(Path(path))))


def _words_of(path: Path) -> frozenset[str]:
    try:
        st = path.stat()
        return _described(str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        return frozenset(match_words(path.stem))


def pick_best(files: list[Path], wanted: str, used: set[Path]) -> Path | None:
    """The unused file whose name and embedded description share the most words with `wanted`
    (a German description of the picture). Ties go to the file with fewer other words, then to
    the first name in sort order. Without any shared word, the first unused file by name (a
    folder of IMG_1234.jpg still gets used); None when every file is used. Files are not
    checked here: load the pick with load_image, and on ImageRefused mark it used and pick again."""
    used_real = {os.path.realpath(p) for p in used}
    candidates = sorted((p for p in files if os.path.realpath(p) not in used_real), key=lambda p: (p.name, str(p)))
    if not candidates:
        return None
    target = match_words(wanted)

    def rank(p: Path) -> tuple[int, int]:
        words = _words_of(p)
        shared = len(words & target)
        return (-shared, len(words) - shared if shared else 0)

    return min(candidates, key=rank)  # min keeps the first of equals: sorted by name above
