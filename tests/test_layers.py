"""The lines the README promises: the checker, render, publishing and the preview never load the
LLM layer or the pipeline (type-only imports stay under TYPE_CHECKING), and the LLM layer knows
no SEO rules."""

import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.parametrize("modules", [
    ["generator.checks"], ["generator.render"], ["generator.publish"], ["generator.folder"],
    ["generator.checks", "generator.render", "generator.publish", "generator.preview"],
])
def test_a_fresh_interpreter_loads_no_llm_layer_or_pipeline_for(modules):
    code = (f"import sys, {', '.join(modules)}; "
            "bad = sorted(m for m in sys.modules if m.startswith(('generator.llm', 'generator.pipeline', "
            "'generator.plan', 'generator.draft', 'generator.repair', 'openai'))); print(' '.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_llm_layer_imports_no_seo_rules():
    code = ("import sys, generator.llm, generator.llm.mock, generator.llm.sloppy, generator.llm.openai; "
            "bad = sorted(m for m in sys.modules if m.startswith(('generator.checks', 'generator.plan', "
            "'generator.repair', 'generator.brief', 'generator.pipeline'))); print(' '.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("argv,unwanted", [
    (["--version"], ("typer", "click", "rich", "pydantic", "generator.cli", "generator.llm")),
    (["--help"], ("openai", "generator.llm.", "pydantic", "rich.table", "somajo", "pyphen", "jinja2", "PIL")),
])
def test_the_command_line_imports_only_what_the_command_needs(argv, unwanted):
    """Start-up time: `genpost --version` loads no typer, `--help` no LLM layer, rich table, splitter or image library."""
    code = ("import sys\nfrom generator.__main__ import main\n"
            f"sys.argv = ['genpost', *{argv!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"bad = sorted(m for m in sys.modules if m.startswith({unwanted!r}))\n"
            "print('LOADED', ' '.join(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "LOADED"
