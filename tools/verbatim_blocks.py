"""Python-Markdown extension: a code block marked `verbatim` shows its lines exactly as written.

    ```{.markdown verbatim title="docs/index.md"}
    --8<-- "weight_state_layer.py:layer"
    ```

pymdownx.snippets reads every line of a page before Markdown does, code blocks included: it
would replace that line with the section, and remove section markers (`# --8<-- [start:x]`).
Its own escape, a `;` before the marker, shows the line right on the site but wrong everywhere
else the Markdown is read, GitHub included, and a reader who copies it from there gets a line
that does nothing. This extension (named in mkdocs.yml) takes the lines of each verbatim block
(found with the site's Markdown parser, tools/pages.py) out of the page before
pymdownx.snippets runs, and puts them back right after it, so the block reads the same in the
repository and on the site.
"""

import uuid

from markdown import Extension
from markdown.preprocessors import Preprocessor

from tools import pages


class Hide(Preprocessor):
    """Replaces each line of a verbatim block with a line pymdownx.snippets leaves alone."""

    def __init__(self, md):
        super().__init__(md)
        self.marker = f"verbatim-{uuid.uuid4().hex}-"
        self.lines: list[str] = []

    def run(self, lines: list[str]) -> list[str]:
        self.lines = []
        for number in sorted(pages.verbatim_lines("\n".join(lines))):
            line = lines[number - 1]
            self.lines.append(line)
            # Indented as it was, so that the blocks around it (an admonition, a tab) still end
            # where they did for the stored outputs' extension, which reads the page in between.
            indent = line[: len(line) - len(line.lstrip())]
            lines[number - 1] = f"{indent}{self.marker}{len(self.lines) - 1}"
        return lines


class Show(Preprocessor):
    """Puts the hidden lines back, before any other preprocessor reads them."""

    def __init__(self, md, hidden: Hide):
        super().__init__(md)
        self.hidden = hidden

    def run(self, lines: list[str]) -> list[str]:
        marker = self.hidden.marker
        shown = []
        for line in lines:
            head, found, number = line.partition(marker)
            hidden = found and not head.strip() and number.isdigit()
            shown.append(self.hidden.lines[int(number)] if hidden else line)
        return shown


class VerbatimBlocks(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # pymdownx.snippets runs at priority 32, and the stored outputs' extension at 33.
        hidden = Hide(md)
        md.preprocessors.register(hidden, "verbatim_hide", 34)
        md.preprocessors.register(Show(md, hidden), "verbatim_show", 31)


def makeExtension(**kwargs):  # noqa: N802 - the name Python-Markdown looks for
    return VerbatimBlocks(**kwargs)
