"""Every Python block a reader can see is a verified snippet or is run by pytest-markdown-docs."""

import pytest

from tools import pages
from tools.project import ROOT

MARKDOWN = sorted(
    p
    for p in ROOT.rglob("*.md")
    if not {".venv", ".venvs", ".cache", "site", "node_modules", ".git"}
    & set(p.relative_to(ROOT).parts)
)
PYTHON = {"python", "py", "python3"}


def problems(path, root=ROOT):
    for fence in pages.fences(path.read_text(encoding="utf-8")):
        where = f"{path.relative_to(root)}:{fence.line}"
        if not fence.words:
            yield f"{where}: code block without a language"
            continue
        if fence.language not in PYTHON:
            continue
        includes = fence.includes()
        if includes:
            if "notest" not in fence.words:
                yield f"{where}: snippet include must be marked notest (the snippet is run instead)"
            for file, _ in includes:
                if not (ROOT / "snippets" / file).exists():
                    yield f"{where}: includes missing snippets/{file}"
        elif "notest" in fence.words:
            yield f"{where}: Python block that is neither a snippet include nor run by the tests"


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN])
def test_python_blocks_are_verified(path):
    assert list(problems(path)) == []


@pytest.mark.machinery
def test_the_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```\nno language\n```\n\n```{.python notest}\nprint('typed by hand')\n```\n\n"
        '```python\n--8<-- "variable_state_layer.py:layer"\n```\n\n'
        '=== "A tab"\n\n    ```{.python notest}\n    --8<-- "no_such_file.py:demo"\n    ```\n',
        encoding="utf-8",
    )
    found = [p.split(": ", 1)[1] for p in problems(page, tmp_path)]
    assert found == [
        "code block without a language",
        "Python block that is neither a snippet include nor run by the tests",
        "snippet include must be marked notest (the snippet is run instead)",
        "includes missing snippets/no_such_file.py",
    ]
