"""Builds generator/fontmetrics/liberation-sans.json from the real font files.

The runtime module (generator/textwidth.py) reads only that JSON; this script is the one place
that reads fonts, so fontTools stays a developer dependency (`pip install -e '.[fonts]'`).

Source: Liberation Sans 2.x from Debian's fonts-liberation2 (SIL Open Font License 1.1), which
is metric-compatible with Arial: same advance widths, so a title measured with it is as wide as
in Arial. It is also the face fontconfig gives Chromium for "Arial" when fonts-liberation2 is
installed (the higher version wins over fonts-liberation 1.07), so the browser check in
tools/compare_with_chromium.py measures with the very same font.

    .venv/bin/python tools/build_font_metrics.py            # Debian's paths
    .venv/bin/python tools/build_font_metrics.py --regular X.ttf --bold Y.ttf

What it keeps, per face: the advance width (font units) of each character German web text uses
(ASCII, Latin-1, Latin Extended-A, typographic quotes, dashes, spaces, €, …) that the font
has, and the kerning pairs among them as HarfBuzz (and so Chromium) applies them: the GPOS
`kern` feature of the Latin script, where a lookup's first subtable that covers a pair decides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "generator" / "fontmetrics" / "liberation-sans.json"
DEBIAN_DIR = Path("/usr/share/fonts/truetype/liberation2")
DEBIAN_PACKAGE = "fonts-liberation2"

# What German SEO titles, descriptions and posts are written with. Characters the font lacks
# are left out (the runtime falls back to an average width for them, as a browser would fall
# back to another font).
CHARSET = (
    [chr(c) for c in range(0x20, 0x7F)]  # ASCII
    + [chr(c) for c in range(0xA0, 0x180)]  # Latin-1 supplement, Latin Extended-A (names: ł, č, ş)
    + list("ƒˆ˜")
    + [chr(c) for c in range(0x2002, 0x200B)]  # en/em/thin/hair spaces
    + list("‐‑‒–—―")  # hyphens and dashes
    + list("‘’‚‛“”„‟")  # quotes: „German“, ‚single‘
    + list("†‡•…‰′″‹›\u202f⁄€№™−∞≈≠≤≥")
)


def _dpkg_version(package: str) -> str | None:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def _name(font: TTFont, name_id: int) -> str:
    record = font["name"].getName(name_id, 3, 1, 0x409) or font["name"].getName(name_id, 1, 0, 0)
    return record.toUnicode().strip() if record else ""


def _kern_lookups(font: TTFont) -> list:
    """The lookups of the `kern` feature for the Latin script (default language)."""
    if "GPOS" not in font:
        return []
    gpos = font["GPOS"].table
    scripts = {sr.ScriptTag: sr.Script for sr in gpos.ScriptList.ScriptRecord}
    script = scripts.get("latn") or scripts.get("DFLT")
    if script is None or script.DefaultLangSys is None:
        return []
    indices: list[int] = []
    for fi in script.DefaultLangSys.FeatureIndex:
        record = gpos.FeatureList.FeatureRecord[fi]
        if record.FeatureTag == "kern":
            indices.extend(record.Feature.LookupListIndex)
    return [gpos.LookupList.Lookup[i] for i in sorted(set(indices))]


def _pair_subtables(lookup) -> list:
    """A lookup's pair-adjustment subtables (type 2), unwrapping extension lookups (type 9)."""
    out = []
    for st in lookup.SubTable:
        if lookup.LookupType == 9:
            st = st.ExtSubTable
        if st.LookupType == 2:
            out.append(st)
    return out


def _x_advance(value) -> int:
    return int(getattr(value, "XAdvance", 0) or 0) if value is not None else 0


def _pair_value(st, left: str, right: str) -> int | None:
    """The subtable's x-advance adjustment for (left, right), or None if it does not cover it."""
    if left not in st.Coverage.glyphs:
        return None
    if st.Format == 1:
        pair_set = st.PairSet[st.Coverage.glyphs.index(left)]
        for rec in pair_set.PairValueRecord:
            if rec.SecondGlyph == right:
                return _x_advance(rec.Value1) + _x_advance(rec.Value2)
        return None
    if st.Format == 2:
        c1 = st.ClassDef1.classDefs.get(left, 0)
        c2 = st.ClassDef2.classDefs.get(right, 0)
        rec = st.Class1Record[c1].Class2Record[c2]
        return _x_advance(rec.Value1) + _x_advance(rec.Value2)
    return None


def _legacy_kern(font: TTFont) -> dict[tuple[str, str], int]:
    """The old `kern` table, used only when the font has no GPOS kerning (as HarfBuzz does)."""
    if "kern" not in font:
        return {}
    pairs: dict[tuple[str, str], int] = {}
    for table in font["kern"].kernTables:
        if getattr(table, "format", None) == 0:
            for pair, value in table.kernTable.items():
                pairs[pair] = pairs.get(pair, 0) + value
    return pairs


def face_metrics(path: Path) -> dict:
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    chars = [ch for ch in CHARSET if ord(ch) in cmap]
    advances = {ch: hmtx[cmap[ord(ch)]][0] for ch in chars}

    kerning: dict[str, int] = {}
    lookups = _kern_lookups(font)
    if lookups:
        subtables_per_lookup = [_pair_subtables(lk) for lk in lookups]
        # Only glyphs some subtable lists as a first glyph can start a pair: keeps this fast.
        firsts = {g for sts in subtables_per_lookup for st in sts for g in st.Coverage.glyphs}
        for a in chars:
            ga = cmap[ord(a)]
            if ga not in firsts:
                continue
            for b in chars:
                gb = cmap[ord(b)]
                total = 0
                for sts in subtables_per_lookup:
                    for st in sts:
                        value = _pair_value(st, ga, gb)
                        if value is not None:
                            total += value
                            break  # the first subtable that covers the pair decides
                if total:
                    kerning[a + b] = total
    else:
        legacy = _legacy_kern(font)
        for a in chars:
            for b in chars:
                value = legacy.get((cmap[ord(a)], cmap[ord(b)]), 0)
                if value:
                    kerning[a + b] = value

    return {
        "file": path.name,
        "font_name": _name(font, 4),
        "version": _name(font, 5),
        "units_per_em": font["head"].unitsPerEm,
        "advances": advances,
        "kerning": dict(sorted(kerning.items())),
        "copyright": _name(font, 0),
        "license": _name(font, 13),
        "license_url": _name(font, 14),
    }


def build(regular: Path, bold: Path) -> dict:
    faces = {"regular": face_metrics(regular), "bold": face_metrics(bold)}
    first = faces["regular"]
    return {
        "about": (
            "Advance widths and kerning pairs (font units) of Liberation Sans, metric-compatible "
            "with Arial, for generator/textwidth.py. Generated by tools/build_font_metrics.py; "
            "do not edit by hand."
        ),
        "font": {
            "family": "Liberation Sans",
            "version": first["version"],
            "source": f"Debian package {DEBIAN_PACKAGE} {_dpkg_version(DEBIAN_PACKAGE) or '(version unknown)'}"
                      if str(regular).startswith(str(DEBIAN_DIR)) else str(regular.name),
            "copyright": first["copyright"],
            "license": first["license"],
            "license_url": first["license_url"],
        },
        "units_per_em": first["units_per_em"],
        "faces": {
            name: {k: face[k] for k in ("file", "font_name", "version", "advances", "kerning")}
            for name, face in faces.items()
        },
    }


def write(data: dict, out: Path) -> None:
    """Compact but diffable: one line per face section, so a font update shows as a small diff."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    top = [k for k in data if k != "faces"]
    for key in top:
        lines.append(f"  {json.dumps(key)}: {json.dumps(data[key], ensure_ascii=False)},")
    lines.append('  "faces": {')
    faces = list(data["faces"].items())
    for i, (name, face) in enumerate(faces):
        lines.append(f"    {json.dumps(name)}: {{")
        items = list(face.items())
        for j, (key, value) in enumerate(items):
            comma = "," if j < len(items) - 1 else ""
            lines.append(f"      {json.dumps(key)}: "
                         f"{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}{comma}")
        lines.append("    }" + ("," if i < len(faces) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    json.loads(out.read_text(encoding="utf-8"))  # what we wrote parses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regular", type=Path, default=DEBIAN_DIR / "LiberationSans-Regular.ttf")
    parser.add_argument("--bold", type=Path, default=DEBIAN_DIR / "LiberationSans-Bold.ttf")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.regular, args.bold)
    write(data, args.out)
    for name, face in data["faces"].items():
        print(f"{name}: {face['font_name']} {face['version']}: {len(face['advances'])} characters, "
              f"{len(face['kerning'])} kerning pairs")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
