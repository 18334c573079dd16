"""Every Python block a reader can see is a verified snippet or is run by pytest-markdown-docs."""

import re

import pytest
from conftest import ROOT

MARKDOWN = sorted(
    p
    for p in ROOT.rglob("*.md")
    if not {".venv", ".cache", "site", "node_modules", ".git"} & set(p.relative_to(ROOT).parts)
)
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>[^\n`]*)\n"
    r"(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
    re.M | re.S,
)
PYTHON = {"python", "py", "python3"}
INCLUDE = re.compile(r'^\s*--8<-- "(?P<file>[\w-]+\.py):[\w-]+"\s*$')


def fences(path):
    for match in FENCE.finditer(path.read_text(encoding="utf-8")):
        info = match.group("info").strip().strip("{}").split()
        words = [w.lstrip(".") for w in info]
        line = path.read_text(encoding="utf-8")[: match.start()].count("\n") + 1
        yield line, words, match.group("body")


def problems(path, root=ROOT):
    for line, words, body in fences(path):
        where = f"{path.relative_to(root)}:{line}"
        if not words:
            yield f"{where}: code block without a language"
            continue
        if words[0] not in PYTHON:
            continue
        lines = [ln for ln in body.splitlines() if ln.strip()]
        is_include = bool(lines) and all(INCLUDE.match(ln) for ln in lines)
        if is_include:
            if "notest" not in words:
                yield f"{where}: snippet include must be marked notest (the snippet is run instead)"
            for ln in lines:
                name = INCLUDE.match(ln).group("file")
                if not (ROOT / "snippets" / name).exists():
                    yield f"{where}: includes missing snippets/{name}"
        elif "notest" in words:
            yield f"{where}: Python block that is neither a snippet include nor run by the tests"


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN])
def test_python_blocks_are_verified(path):
    assert list(problems(path)) == []


def test_the_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```\nno language\n```\n\n```{.python notest}\nprint('typed by hand')\n```\n\n"
        '```python\n--8<-- "variable_state_layer.py:layer"\n```\n',
        encoding="utf-8",
    )
    found = [p.split(": ", 1)[1] for p in problems(page, tmp_path)]
    assert found == [
        "code block without a language",
        "Python block that is neither a snippet include nor run by the tests",
        "snippet include must be marked notest (the snippet is run instead)",
    ]
