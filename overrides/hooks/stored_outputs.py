"""MkDocs hook: pages include snippets and their stored outputs from snippets/.

`mkdocs serve` watches docs/ and mkdocs.yml only; this makes it rebuild when a snippet or a
stored output changes too.
"""

from pathlib import Path


def on_serve(server, config, builder):
    server.watch(str(Path(config.config_file_path).parent / "snippets"))
    return server
