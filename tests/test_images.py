"""Image files: safe loading, web preparation (metadata gone, size, alpha), names, picking."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from generator.errors import InputError
from generator.images import (
    MAX_STEM, ImageRefused, _encode, describe_file, load_image, match_words, pick_best, prepare, seo_filename,
)


# --- making test images ----------------------------------------------------------------------

def photo(width: int = 1600, height: int = 1200, noise: float = 0.3, seed: int = 1) -> Image.Image:
    """Something photo-like: a gradient with deterministic grain."""
    rng = random.Random(seed)
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    base = Image.merge("RGB", [Image.linear_gradient("L").resize((width, height)).rotate(a, expand=False)
                               for a in (0, 90, 180)])
    return Image.blend(base, grain, noise)


def gps_jpeg(path: Path, width: int = 1600, height: int = 1200, orientation: int = 6) -> Path:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Testkamera"
    exif[ExifTags.Base.ImageDescription] = "Team im Büro bei der ERP-Einführung".encode("utf-8")
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>'
           b'<rdf:li xml:lang="x-default">Whiteboard mit Prozessskizze</rdf:li></rdf:Alt></dc:description>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo(width, height, noise=0.1).save(path, "JPEG", quality=92, exif=exif, xmp=xmp, icc_profile=icc)
    return path


def alpha_png(path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((20, 160, 60, 255), (100, 100, 500, 400))
    image.paste((200, 40, 40, 128), (550, 100, 850, 400))
    image.save(path)
    return path


def riff_chunks(webp: bytes) -> list[bytes]:
    """The FourCCs of a WebP file's chunks (EXIF, XMP and ICCP would hold metadata)."""
    assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(webp):
        fourcc, size = webp[pos:pos + 4], struct.unpack("<I", webp[pos + 4:pos + 8])[0]
        chunks.append(fourcc)
        pos += 8 + size + (size & 1)
    return chunks


def refusal(source, name: str = "x.jpg") -> str:
    with pytest.raises(ImageRefused) as info:
        load_image(source, name)
    message = str(info.value)
    assert isinstance(info.value, InputError)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


# --- load_image --------------------------------------------------------------------------------

def test_a_photo_loads_from_a_path_and_from_bytes(tmp_path):
    path = gps_jpeg(tmp_path / "foto.jpg")
    from_path = load_image(path, "foto.jpg")
    from_bytes = load_image(path.read_bytes(), "foto.jpg")
    assert from_path.size == from_bytes.size == (1600, 1200)
    assert from_path.format == "JPEG"


def test_an_empty_file_is_refused_in_one_line(tmp_path):
    (tmp_path / "leer.jpg").write_bytes(b"")
    assert refusal(tmp_path / "leer.jpg", "leer.jpg") == "leer.jpg: empty file"
    assert refusal(b"") == "x.jpg: empty file"


def test_a_text_file_named_jpg_is_refused_without_quoting_it(tmp_path):
    secret = "Kontonummer DE12 3456 7890 geheim\n" * 20
    (tmp_path / "notiz.jpg").write_text(secret, encoding="utf-8")
    message = refusal(tmp_path / "notiz.jpg", "notiz.jpg")
    assert "not an image" in message and "Kontonummer" not in message


def test_a_cut_off_jpeg_and_a_damaged_png_are_refused(tmp_path):
    jpeg = (gps_jpeg(tmp_path / "ganz.jpg")).read_bytes()
    assert "damaged or cut-off" in refusal(jpeg[: len(jpeg) // 2], "halb.jpg")
    good = io.BytesIO()
    photo(200, 150).save(good, "PNG")
    data = bytearray(good.getvalue())
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # one flipped byte inside the pixel data: its checksum no longer fits
    assert "damaged" in refusal(bytes(data), "kaputt.png")


def test_a_fifty_megapixel_file_is_refused_before_decoding(tmp_path):
    path = tmp_path / "riesig.png"
    Image.new("1", (8000, 6300), 1).save(path)  # one colour: 18 KB on disk, 50.4 megapixels
    assert path.stat().st_size < 100_000
    message = refusal(path, "riesig.png")
    assert "50.4 megapixels" in message and "40 megapixels" in message


def test_other_formats_are_refused_by_name(tmp_path):
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert refusal(gif.getvalue(), "anim.gif") == "anim.gif: GIF images are not supported (use JPEG, PNG or WebP files)"


def test_files_that_are_not_regular_are_refused(tmp_path):
    assert "not a regular file (a folder)" in refusal(tmp_path, "ordner")
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert "not a regular file" in refusal(fifo, "pipe.jpg")  # and does not wait for a writer
    link = tmp_path / "status.jpg"
    link.symlink_to("/proc/self/status")
    assert "not a regular file" in refusal(link, "status.jpg")
    assert "not a regular file" in refusal(Path("/dev/zero"), "zero.jpg")
    assert refusal(tmp_path / "fehlt.jpg", "fehlt.jpg") == "fehlt.jpg: no such file"


def test_a_file_over_fifty_megabytes_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "gross.jpg"
    with open(path, "wb") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: no disk, no time
    assert refusal(path, "gross.jpg") == "gross.jpg: larger than 50 MB"


# --- prepare -----------------------------------------------------------------------------------

def test_a_photo_loses_exif_gps_xmp_and_icc_and_is_turned_upright(tmp_path):
    source = load_image(gps_jpeg(tmp_path / "foto.jpg"), "foto.jpg")
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source does carry GPS
    assert "icc_profile" in source.info and "xmp" in source.info
    out = prepare(source, 1200)
    assert out.format == "webp" and out.mime == "image/webp" and out.ext == "webp"
    assert riff_chunks(out.data) == [b"VP8 "]  # no VP8X header, so no EXIF, XMP or ICCP chunk
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"Testkamera", b"sRGB"):
        assert marker not in out.data
    result = Image.open(io.BytesIO(out.data))
    assert not result.getexif() and "icc_profile" not in result.info and "xmp" not in result.info
    # Orientation 6 (rotate 90°): the 1600×1200 landscape pixels become a 1200×1600 portrait.
    assert (out.width, out.height) == result.size == (1200, 1600)


def test_a_png_with_alpha_keeps_it_in_webp(tmp_path):
    out = prepare(load_image(alpha_png(tmp_path / "logo.png"), "logo.png"), 1200)
    result = Image.open(io.BytesIO(out.data))
    assert result.mode == "RGBA" and result.size == (900, 600)
    alpha = result.getchannel("A")
    assert alpha.getpixel((10, 10)) == 0 and alpha.getpixel((300, 250)) == 255
    assert 100 <= alpha.getpixel((700, 250)) <= 156  # half see-through stays so
    r, g, b, _ = result.getpixel((300, 250))
    assert abs(r - 20) < 12 and abs(g - 160) < 12 and abs(b - 60) < 12


def test_opaque_alpha_is_dropped_and_jpeg_flattens_onto_white(tmp_path):
    opaque = Image.new("RGBA", (300, 200), (10, 20, 30, 255))
    assert Image.open(io.BytesIO(prepare(opaque, 1200).data)).mode == "RGB"
    out = prepare(load_image(alpha_png(tmp_path / "logo.png"), "logo.png"), 1200, format="jpeg")
    result = Image.open(io.BytesIO(out.data))
    assert out.mime == "image/jpeg" and out.ext == "jpg" and result.format == "JPEG" and result.mode == "RGB"
    assert all(v > 245 for v in result.getpixel((10, 10)))  # transparent became white
    assert not result.getexif() and "icc_profile" not in result.info


def swapped_profile() -> bytes:
    """An RGB ICC profile whose red and blue primaries are swapped (and that does not call itself
    sRGB): a pixel stored as red under it looks blue."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    tags = {}
    for i in range(struct.unpack(">I", icc[128:132])[0]):
        sig, offset, size = struct.unpack(">4sII", icc[132 + 12 * i:144 + 12 * i])
        tags[sig] = (i, offset, size)
    (ir, off_r, size_r), (ib, off_b, size_b) = tags[b"rXYZ"], tags[b"bXYZ"]
    struct.pack_into(">4sII", icc, 132 + 12 * ir, b"rXYZ", off_b, size_b)
    struct.pack_into(">4sII", icc, 132 + 12 * ib, b"bXYZ", off_r, size_r)
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "Test".encode("utf-16-be"))


def test_colours_are_converted_to_srgb_and_a_broken_profile_is_ignored():
    def pixel_after_prepare(icc: bytes) -> tuple[int, ...]:
        source = io.BytesIO()
        Image.new("RGB", (64, 48), (220, 30, 30)).save(source, "PNG", icc_profile=icc)
        out = prepare(load_image(source.getvalue(), "x.png"), 1200)
        result = Image.open(io.BytesIO(out.data))
        assert "icc_profile" not in result.info
        return result.getpixel((10, 10))

    r, g, b = pixel_after_prepare(swapped_profile())
    assert b > 180 and r < 60  # shown as it looked: blue
    r, g, b = pixel_after_prepare(b"not a profile")
    assert r > 200 and b < 60  # values kept


def test_resizing_keeps_the_aspect_and_never_upscales():
    big = prepare(photo(3000, 2000), 1024)
    assert (big.width, big.height) == (1024, 683)
    assert Image.open(io.BytesIO(big.data)).size == (1024, 683)
    small = prepare(photo(800, 600), 1200)
    assert (small.width, small.height) == (800, 600)


def test_quality_is_searched_to_stay_within_the_byte_limit():
    image = photo(1600, 1200, noise=0.35)
    assert len(_encode(image.resize((1200, 900)), "webp", 82)) > 200_000  # the default would be too big
    out = prepare(image, 1200)
    assert out.within_limit and out.note is None
    assert out.size_bytes <= 200_000 and out.quality < 82
    # The highest quality that fits: one step up no longer does.
    resized = image.resize((1200, 900), Image.Resampling.LANCZOS, reducing_gap=3.0)
    assert len(_encode(resized, "webp", out.quality + 1)) > 200_000
    assert out.sha256 == hashlib.sha256(out.data).hexdigest()


def test_a_source_that_cannot_fit_is_reported_not_hidden():
    noise = Image.frombytes("RGB", (1200, 900), random.Random(3).randbytes(1200 * 900 * 3))
    out = prepare(noise, 1200)
    assert not out.within_limit and out.quality == 40 and out.size_bytes > 200_000
    assert out.format == "webp" and out.note and "over the limit" in out.note


def test_jpeg_is_taken_where_webp_cannot_fit_but_jpeg_can():
    noise = Image.frombytes("RGB", (1200, 900), random.Random(3).randbytes(1200 * 900 * 3))
    assert len(_encode(noise, "webp", 40)) > 400_000  # pure noise: WebP's weak spot
    out = prepare(noise, 1200, max_bytes=400_000)
    assert out.within_limit and out.size_bytes <= 400_000
    assert out.format == "jpeg" and out.ext == "jpg" and out.mime == "image/jpeg" and "JPEG instead of WebP" in out.note
    assert Image.open(io.BytesIO(out.data)).format == "JPEG"


# --- names -------------------------------------------------------------------------------------

def test_seo_file_names_are_short_unique_slugs():
    alt = "Digitalisierung im Mittelstand: ERP-Einführung für das Büro"
    assert seo_filename(alt, "webp", set()) == "digitalisierung-mittelstand-erp-einfuehrung-buero.webp"
    assert seo_filename(alt, ".WEBP", {"digitalisierung-mittelstand-erp-einfuehrung-buero.webp"}) == \
        "digitalisierung-mittelstand-erp-einfuehrung-buero-2.webp"
    taken = {"digitalisierung-mittelstand-erp-einfuehrung-buero.webp",
             "digitalisierung-mittelstand-erp-einfuehrung-buero-2.webp"}
    assert seo_filename(alt, "webp", taken).endswith("-3.webp")
    assert seo_filename("", "jpg", set()) == "bild.jpg"
    assert seo_filename("Die und das", "jpg", set()) == "die-und-das.jpg"  # only stop words: keep them
    long_alt = "Eine sehr ausführliche Beschreibung eines Bildes mit Lagerhalle, Gabelstapler, Regalen und Mitarbeitenden"
    name = seo_filename(long_alt, "webp", set())
    stem = name.removesuffix(".webp")
    assert len(stem) <= MAX_STEM and not stem.endswith("-") and stem.startswith("sehr-ausfuehrliche")
    again = seo_filename(long_alt, "webp", {name})
    assert again.endswith("-2.webp") and len(again.removesuffix(".webp")) <= MAX_STEM


# --- describing and picking --------------------------------------------------------------------

def test_describe_file_reads_name_exif_xmp_and_png_text(tmp_path):
    text = describe_file(gps_jpeg(tmp_path / "IMG_2041.jpg"))
    assert text.startswith("IMG 2041")
    assert "Team im Büro bei der ERP-Einführung" in text and "Whiteboard mit Prozessskizze" in text
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "Lächelnde Kundin am Tresen")
    info.add_itxt("Title", "Bäckerei am Morgen")
    Image.new("RGB", (40, 30)).save(tmp_path / "kundin_01.png", pnginfo=info)
    assert describe_file(tmp_path / "kundin_01.png") == "kundin 01 Lächelnde Kundin am Tresen Bäckerei am Morgen"
    exif = Image.Exif()
    exif[0x9C9B] = "Gabelstapler\x00 im Lager".encode("utf-16-le")  # XPTitle, with a stray control character
    exif[ExifTags.Base.ImageDescription] = "x" * 1000
    Image.new("RGB", (40, 30)).save(tmp_path / "a.webp", exif=exif)
    described = describe_file(tmp_path / "a.webp")
    assert described.startswith("a ") and "Gabelstapler im Lager" in described  # a long description does not crowd it out
    assert len(described) <= 300 and "\x00" not in described
    (tmp_path / "kaputt.jpg").write_bytes(b"\xff\xd8\xff garbage")
    assert describe_file(tmp_path / "kaputt.jpg") == "kaputt"


def test_match_words_normalise_german():
    assert match_words("Die Mitarbeitern im Büro") == match_words("mitarbeiter buero")
    assert "gabelstapl" in match_words("Gabelstapler") or "gabelstapler" in match_words("Gabelstapler")
    assert match_words("IMG_0001 und 2024") == {"img"}


def test_pick_best_matches_names_and_descriptions(tmp_path):
    def jpg(name: str, description: str | None = None) -> Path:
        exif = Image.Exif()
        if description:
            exif[ExifTags.Base.ImageDescription] = description.encode("utf-8")
        Image.new("RGB", (40, 30)).save(tmp_path / name, exif=exif)
        return tmp_path / name

    files = [jpg("team-meeting-buero.jpg"), jpg("lager-gabelstapler.jpg"), jpg("IMG_0002.jpg", "Kundin in der Bäckerei"),
             jpg("IMG_0001.jpg"), jpg("lager-regale-gabelstapler-halle.jpg")]
    assert pick_best(files, "Ein Gabelstapler im Lager", set()) == tmp_path / "lager-gabelstapler.jpg"  # fewer other words
    assert pick_best(files, "Ein Gabelstapler im Lager", {tmp_path / "lager-gabelstapler.jpg"}) == \
        tmp_path / "lager-regale-gabelstapler-halle.jpg"
    assert pick_best(files, "Eine Kundin kauft Brötchen in einer Bäckerei", set()) == tmp_path / "IMG_0002.jpg"
    assert pick_best(files, "Besprechung im Büro", set()) == tmp_path / "team-meeting-buero.jpg"  # ü = ue
    assert pick_best(list(reversed(files)), "Raumfahrt", set()) == tmp_path / "IMG_0001.jpg"  # no match: first by name
    assert pick_best(files, "Raumfahrt", set(files)) is None
