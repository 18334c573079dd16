"""One parser for each syntax: no module or test matches Markdown, HTML, snippet includes, section
markers or the versions line with a regular expression of its own.

tools/content.py reads snippets and includes with pymdownx.snippets' parser, tools/pages.py reads
pages with markdown-it-py, and the tests read built HTML with an HTML parser (tests/support.py).
"""

import ast
from pathlib import Path

import pytest

from tools.project import ROOT

# The code of the tools and tests: independent of the pages and snippets.
pytestmark = pytest.mark.machinery

FOLDERS = ["tools", "tests", "benchmarks", "overrides"]
# Pieces of the syntaxes that have a parser: includes and section markers, fences, headings,
# admonitions and tabs, links, HTML tags, the versions line.
SYNTAX = ["8<", "```", "#{", "!!!", "===", "\\]\\(", "<a", "<div", "<h", "href", "</", "Keras "]
REGEX_FUNCTIONS = {"compile", "match", "fullmatch", "search", "findall", "finditer", "sub", "split"}
PYTHON = sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def regex_over_syntax(path: Path, root: Path = ROOT) -> list[str]:
    """`re.<function>(pattern, ...)` calls whose pattern matches one of the parsed syntaxes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in REGEX_FUNCTIONS
            and node.args
        ):
            continue
        pattern = node.args[0]
        text = pattern.value if isinstance(pattern, ast.Constant) else ast.unparse(pattern)
        hits = [piece for piece in SYNTAX if piece in str(text)]
        if hits:
            found.append(f"{path.relative_to(root)}:{node.lineno}: regex over {hits}")
    return found


@pytest.mark.parametrize("path", PYTHON, ids=[str(p.relative_to(ROOT)) for p in PYTHON])
def test_no_regex_over_a_syntax_that_has_a_parser(path):
    assert regex_over_syntax(path) == []


def test_the_check_finds_a_stray_parser(tmp_path):
    stray = tmp_path / "stray_parser_example.py"
    code = (
        "import re\n"
        "INCLUDE = re.compile(r'--8<-- \"(\\\\w+)\"')\n"
        "links = re.findall(r'<a href=\"([^\"]+)\"', '')\n"
        "ok = re.compile(r'\\\\d+ms/step')\n"
    )
    stray.write_text(code, encoding="utf-8")
    assert regex_over_syntax(stray, tmp_path) == [
        "stray_parser_example.py:2: regex over ['8<']",
        "stray_parser_example.py:3: regex over ['<a', 'href']",
    ]
