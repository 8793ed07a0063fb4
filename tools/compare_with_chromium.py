"""Measures the sample SEO titles and descriptions in headless Chromium and compares the widths
with generator/textwidth.py. A one-off check of the metrics table, not a test (the unit test
tests/test_textwidth.py pins figures this script measured).

    bash .ci/install-chromium.sh          # chromium + the Liberation fonts
    .venv/bin/python tools/compare_with_chromium.py [--rows]

The browser measures each string three ways, in `arial, sans-serif` (fontconfig resolves Arial to
Liberation Sans): a span's getBoundingClientRect().width (DOM layout, as Google's result page
lays the text out), the same with `font-kerning: none`, a Yoast-style measuring div's
offsetWidth (an integer), and canvas measureText(). It also replays the truncation with the
browser's widths to see whether it cuts after the same word as textwidth.truncate.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator import textwidth as tw  # noqa: E402
from serp_samples import DESCRIPTIONS, TITLES  # noqa: E402

# Quiet, offline headless Chromium: without the background-networking flags it keeps trying to
# reach Google's update and sync servers.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>measure</title></head>
<body>
<script id="items" type="application/json">ITEMS</script>
<pre id="out"></pre>
<script>
const items = JSON.parse(document.getElementById("items").textContent);
const ctx = document.createElement("canvas").getContext("2d");
const holder = document.createElement("div");
holder.style.cssText = "position:absolute;left:0;top:0;white-space:nowrap";
document.body.appendChild(holder);
const results = items.map(({text, size, bold}) => {
  const font = (bold ? "bold " : "") + size + "px arial, sans-serif";
  const span = document.createElement("span");
  span.style.font = font;
  span.textContent = text;
  holder.appendChild(span);
  const dom = span.getBoundingClientRect().width;
  span.style.fontKerning = "none";
  const domNoKern = span.getBoundingClientRect().width;
  holder.removeChild(span);
  // Yoast's measuring element (packages/js/src/helpers/measureTextWidth.js): offsetWidth.
  const div = document.createElement("div");
  div.style.cssText = "position:absolute;left:-9999em;top:0;height:0;overflow:hidden";
  div.style.font = font;
  div.textContent = text;
  document.body.appendChild(div);
  const offset = div.offsetWidth;
  document.body.removeChild(div);
  ctx.font = font;
  const canvas = ctx.measureText(text).width;
  return {dom, domNoKern, offset, canvas};
});
document.getElementById("out").textContent = JSON.stringify(results);
</script>
</body></html>
"""


def measure(items: list[dict], chromium: str) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="textwidth-") as tmp:
        page = Path(tmp) / "measure.html"
        # "</" cannot end the JSON script element early: escape it.
        page.write_text(PAGE.replace("ITEMS", json.dumps(items).replace("</", "<\\/")),
                        encoding="utf-8")
        profile = Path(tmp) / "profile"
        profile.mkdir()
        proc = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=180,
        )
    m = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout, re.S)
    if not m or not m.group(1):
        sys.exit(f"chromium gave no measurements (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(html.unescape(m.group(1)))


def font_check() -> str:
    fc = shutil.which("fc-match")
    if not fc:
        return "fc-match not found"
    out = subprocess.run([fc, "-f", "%{family} %{style} %{file}", "Arial"],
                         capture_output=True, text=True).stdout
    return out.strip()


def stats(diffs: list[float]) -> str:
    a = [abs(d) for d in diffs]
    return f"max {max(a):5.2f} px, mean {statistics.fmean(a):5.2f} px (n={len(a)})"


def candidates(text: str) -> list[str]:
    """Every cut truncate() may choose, shortest first: whole words + ellipsis."""
    shown = tw._layout_text(text)
    return [tw._tidy(shown[:m.start()]) + tw.ELLIPSIS for m in re.finditer(" ", shown)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--rows", action="store_true", help="print every string's figures")
    args = parser.parse_args()

    groups = {
        "titles 20px": [dict(text=t, size=tw.SERP_TITLE_SIZE_PX, bold=False) for t in TITLES],
        "descriptions 14px": [dict(text=d, size=tw.SERP_DESCRIPTION_SIZE_PX, bold=False)
                              for d in DESCRIPTIONS],
        "titles 20px bold": [dict(text=t, size=tw.SERP_TITLE_SIZE_PX, bold=True) for t in TITLES],
    }
    limits = [("titles", TITLES, tw.TITLE_MAX_PX, tw.SERP_TITLE_SIZE_PX),
              ("descriptions desktop", DESCRIPTIONS, tw.DESCRIPTION_MAX_PX_DESKTOP,
               tw.SERP_DESCRIPTION_SIZE_PX),
              ("descriptions mobile", DESCRIPTIONS, tw.DESCRIPTION_MAX_PX_MOBILE,
               tw.SERP_DESCRIPTION_SIZE_PX)]
    cut_items = {(name, text): [dict(text=c, size=size, bold=False) for c in candidates(text)]
                 for name, texts, _, size in limits for text in texts}

    items = [it for g in groups.values() for it in g]
    items += [it for cs in cut_items.values() for it in cs]
    results = measure(items, args.chromium)
    by_key = {(it["text"], it["size"], it["bold"]): r for it, r in zip(items, results)}

    version = subprocess.run([args.chromium, "--version"], capture_output=True, text=True).stdout
    print(f"browser: {version.strip()}; fc-match Arial: {font_check()}")
    info = tw.font_info()
    print(f"table:   {info['family']} {info['version']} ({info['source']})\n")

    for name, group in groups.items():
        kern, nokern, canvas, offset = [], [], [], []
        offset_equal = 0
        for it in group:
            r = by_key[(it["text"], it["size"], it["bold"])]
            ours = tw.text_width(it["text"], it["size"], it["bold"])
            plain = tw.text_width(it["text"], it["size"], it["bold"], kerning=False)
            kern.append(ours - r["dom"])
            nokern.append(plain - r["dom"])
            canvas.append(ours - r["canvas"])
            offset.append(ours - r["offset"])
            offset_equal += round(ours) == r["offset"]
            if args.rows:
                print(f"  {ours:8.3f} {r['dom']:8.3f} {r['canvas']:8.3f} {r['offset']:4d}  "
                      f"{it['text'][:70]}")
        print(f"{name}:")
        print(f"  textwidth vs DOM span (kerned)        {stats(kern)}")
        print(f"  textwidth without kerning vs DOM span {stats(nokern)}")
        print(f"  textwidth vs canvas measureText       {stats(canvas)}")
        print(f"  round(textwidth) == Yoast offsetWidth {offset_equal}/{len(group)}")

    print()
    for name, texts, max_px, size in limits:
        agree, cut = 0, 0
        for text in texts:
            shown, was_cut = tw.truncate(text, max_px, size)
            cut += was_cut
            if not was_cut:
                fits_in_browser = by_key[(text, size, False)]["dom"] <= max_px
                agree += fits_in_browser
                continue
            # The browser's choice: the last candidate before the first that does not fit.
            browser = ""
            for c in candidates(text):
                if by_key[(c, size, False)]["dom"] > max_px:
                    break
                browser = c
            agree += browser.lstrip() == shown
            if browser.lstrip() != shown:
                print(f"  differs: {shown!r} vs browser {browser!r}")
        print(f"truncation {name} at {max_px:g}px: same cut as with the browser's widths "
              f"{agree}/{len(texts)} ({cut} cut)")


if __name__ == "__main__":
    main()
