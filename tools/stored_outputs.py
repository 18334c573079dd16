"""Python-Markdown extension: a stored output is shown as the bytes it holds, never read as
Markdown again.

A page shows a snippet's stored output with a code block that holds only its include:

    ```text title="Output"
    --8<-- "name.out"
    ```

pymdownx.snippets would paste the file's lines into the page before Markdown is parsed, so an
output line of three backticks would close the block, a line `--8<-- "other.txt"` would pull in
another file, and tabs would be expanded. This hook finds those blocks with the site's Markdown
parser (tools/pages.py) before pymdownx.snippets runs, and puts in their place the HTML that
block would have become, with the output escaped: control characters other than newlines and
tabs are shown as Unicode's control pictures ("\r" as "␍", ESC as "␛"; tools/content.py).

mkdocs.yml names it (`tools.stored_outputs`, with `base_path`, the folder of the stored outputs,
relative to the folder the build runs in, as pymdownx.snippets reads its own), so any builder
that runs Python-Markdown runs it: MkDocs, ProperDocs and Zensical alike. The project is
installed in its environment (pyproject.toml), which makes `tools` importable from anywhere.
"""

import html
import shlex
import uuid
from pathlib import Path

from markdown import Extension
from markdown.preprocessors import Preprocessor

from tools import content, pages


def output_html(text: str, title: str | None) -> str:
    """The HTML of a highlighted `text` code block (as pymdownx.highlight writes it)."""
    body = html.escape(content.visible(text), quote=False)
    if not body.endswith("\n"):
        body += "\n"
    label = f'<span class="filename">{html.escape(title, quote=False)}</span>' if title else ""
    return f'<div class="highlight">{label}<pre><span></span><code>{body}</code></pre></div>'


def _title(info: str) -> str | None:
    for word in shlex.split(info.strip().strip("{}")):
        key, sep, value = word.partition("=")
        if sep and key == "title":
            return value
    return None


class StoredOutputs(Preprocessor):
    """Takes each output block out of the page before pymdownx.snippets can read it.

    The block's HTML goes to Python-Markdown's store of raw HTML. That store's placeholders use
    characters that Python-Markdown removes from a page when it normalises whitespace, after
    pymdownx.snippets runs; so a line of our own (`marker`) stands in for the block until then,
    and Placeholders swaps it for the store's placeholder.
    """

    def __init__(self, md, snippets_dir: Path):
        super().__init__(md)
        self.snippets_dir = snippets_dir
        self.marker = f"stored-output-{uuid.uuid4().hex}-"
        self.blocks: list[str] = []

    def run(self, lines: list[str]) -> list[str]:
        for fence in reversed(pages.fences("\n".join(lines))):
            includes = fence.includes()
            if not includes or len(includes) != 1 or not includes[0][0].endswith(".out"):
                continue
            path = self.snippets_dir / includes[0][0]
            if not path.is_file():
                continue  # pymdownx.snippets (check_paths) reports the missing file
            opening = lines[fence.line - 1]
            indent = opening[: len(opening) - len(opening.lstrip())]
            text = path.read_bytes().decode("utf-8")
            self.blocks.append(output_html(text, _title(fence.info)))
            marker = f"{indent}{self.marker}{len(self.blocks) - 1}"
            lines[fence.line - 1 : fence.end_line] = ["", marker, ""]
        return lines


class Placeholders(Preprocessor):
    def __init__(self, md, outputs: StoredOutputs):
        super().__init__(md)
        self.outputs = outputs

    def run(self, lines: list[str]) -> list[str]:
        found = []
        for line in lines:
            head, marker, number = line.partition(self.outputs.marker)
            if marker and not head.strip() and number.isdigit():
                line = head + self.md.htmlStash.store(self.outputs.blocks[int(number)])
            found.append(line)
        return found


class StoredOutputsExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "base_path": ["snippets", "the folder of the stored outputs (relative to the build's)"]
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # pymdownx.snippets runs at priority 32 and whitespace is normalised at 30.
        outputs = StoredOutputs(md, Path(self.getConfig("base_path")))
        md.preprocessors.register(outputs, "stored_outputs", 33)
        md.preprocessors.register(Placeholders(md, outputs), "stored_output_html", 29)


def makeExtension(**kwargs):  # noqa: N802 - the name Python-Markdown looks for
    return StoredOutputsExtension(**kwargs)
