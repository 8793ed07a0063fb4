"""Builds the word lists genpost's plugin profiles need, from the plugins' own sources.

genpost judges a post as Yoast SEO and Rank Math judge it for German, and their verdicts hang on
their word lists (Yoast's German function words, transition words, passive-voice auxiliaries and
participles; Rank Math's German power words). The checker reads only the JSON files this script
writes; this script is the one place that reads the plugins.

* generator/checks/data/yoast-de.json: from the npm package yoastseo (version pinned in
  tests/support/js/package.json; `npm ci --prefix tests/support/js` first), files under
  node_modules/yoastseo/build/ (named in the JSON's "sources").
* generator/checks/data/rankmath-de.json: from Rank Math's plugin source (GPL), given as a folder
  with `--rankmath DIR` (a checkout of github.com/rankmath/seo-by-rank-math): the power words of
  assets/vendor/powerwords/de.php and the diacritics of assets/vendor/diacritics/de.php.

    .venv/bin/python tools/build_seo_plugin_data.py
    .venv/bin/python tools/build_seo_plugin_data.py --rankmath ~/src/seo-by-rank-math

Both plugins are GPL-licensed; so are these lists (see README, Licence).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = ROOT / "tests" / "support" / "js"
DATA = ROOT / "generator" / "checks" / "data"

# Runs inside tests/support/js, so require() finds yoastseo.
_DUMP_YOAST = r"""
const B = 'yoastseo/build/';
const de = B + 'languageProcessing/languages/de/config/';
const req = (p) => require(p);
const regexes = (list) => list.map((x) => ({ pattern: x.letter.source, alternative: x.alternative }));
const pkg = req('yoastseo/package.json');
const aux = req(de + 'internal/passiveVoiceAuxiliaries.js').default;
const transition = req(de + 'transitionWords.js');
const out = {
  yoastseo: pkg.version,
  license: pkg.license,
  sources: {
    functionWords: de + 'functionWords.js (all)',
    transitionWords: de + 'transitionWords.js (allWords)',
    twoPartTransitionWords: de + 'twoPartTransitionWords.js',
    firstWordExceptions: de + 'firstWordExceptions.js',
    stopWords: de + 'stopWords.js',
    passiveAuxiliaries: de + 'internal/passiveVoiceAuxiliaries.js (all)',
    participleLike: de + 'internal/passiveVoiceAuxiliaries.js (participleLike)',
    passiveIrregulars: de + 'internal/passiveVoiceIrregulars.js',
    activeParticipleExceptions: de + 'internal/exceptionsParticiplesActive.js',
    abbreviations: B + 'languageProcessing/languages/en/config/abbreviations.js',
    transliterations: B + 'config/getTransliterations.js (de)',
    transliterationsWPstyle: B + 'config/transliterationsWPstyle.js (de)',
  },
  functionWords: req(de + 'functionWords.js').all,
  transitionWords: transition.allWords,
  twoPartTransitionWords: req(de + 'twoPartTransitionWords.js').default,
  firstWordExceptions: req(de + 'firstWordExceptions.js').default,
  stopWords: req(de + 'stopWords.js').default,
  passiveAuxiliaries: aux.all,
  participleLike: aux.participleLike,
  passiveIrregulars: req(de + 'internal/passiveVoiceIrregulars.js').default,
  activeParticipleExceptions: req(de + 'internal/exceptionsParticiplesActive.js').default,
  abbreviations: req(B + 'languageProcessing/languages/en/config/abbreviations.js').default,
  transliterations: regexes(req(B + 'config/getTransliterations.js').default('de_DE')),
  transliterationsWPstyle: regexes(req(B + 'config/transliterationsWPstyle.js').default('de_DE')),
};
process.stdout.write(JSON.stringify(out));
"""


def build_yoast() -> dict:
    proc = subprocess.run(["node", "-e", _DUMP_YOAST], cwd=JS_DIR, capture_output=True, check=True)
    data = json.loads(proc.stdout)
    for entry in data["transliterations"] + data["transliterationsWPstyle"]:
        # Each pattern is one character class like [\u00E4]: keep the character itself.
        m = re.fullmatch(r"\[\\u([0-9A-Fa-f]{4})\]", entry.pop("pattern"))
        if not m:
            raise SystemExit(f"unexpected transliteration pattern in yoastseo {data['yoastseo']}")
        entry["letter"] = chr(int(m.group(1), 16))
    return data


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _php_strings(text: str) -> list[str]:
    return re.findall(r"'((?:[^'\\]|\\.)*)'", text)


def build_rankmath(folder: Path) -> dict:
    power = (folder / "assets/vendor/powerwords/de.php").read_text(encoding="utf-8")
    diacritics = (folder / "assets/vendor/diacritics/de.php").read_text(encoding="utf-8")
    pairs = re.findall(r"'((?:[^'\\]|\\.)*)'\s*=>\s*'((?:[^'\\]|\\.)*)'", diacritics)
    return {
        "sources": {"powerWords": "assets/vendor/powerwords/de.php",
                    "diacritics": "assets/vendor/diacritics/de.php",
                    "plugin": "github.com/rankmath/seo-by-rank-math"},
        "license": "GPL-3.0-or-later",
        # includes/admin/metabox/class-screen.php power_words(): array_map('strtolower', …), which
        # lowercases ASCII letters only.
        "powerWords": [w.translate(_ASCII_LOWER) for w in _php_strings(power)],
        "diacritics": {k: v for k, v in pairs},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rankmath", type=Path, help="a checkout of Rank Math's plugin source")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    yoast = build_yoast()
    (DATA / "yoast-de.json").write_text(json.dumps(yoast, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"yoast-de.json: yoastseo {yoast['yoastseo']}, {len(yoast['functionWords'])} function words, "
          f"{len(yoast['transitionWords'])} transition words")
    if args.rankmath:
        rm = build_rankmath(args.rankmath)
        (DATA / "rankmath-de.json").write_text(json.dumps(rm, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        print(f"rankmath-de.json: {len(rm['powerWords'])} power words, {len(rm['diacritics'])} diacritics")


if __name__ == "__main__":
    main()
