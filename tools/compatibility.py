"""The compatibility page, docs/reference/compatibility.md, made from the matrix results.

compat/results/<env>.json holds what every snippet printed in one environment (tools/matrix.py
writes it). A snippet is compared across the environments of its Keras backend only; the
reference of a JAX or PyTorch snippet is that backend's own environment.
The page answers "does this hold for my version?": per snippet, the environments
whose output is the reference's, since which release it has been so, and the differences where
it is not; at the top, a summary of every snippet whose output changed. Everything on it is
computed from the results; the wording is in tools/templates/compatibility.md.jinja.
tools/generate.py writes it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2

from tools import backends, content, runner
from tools.matrix import (
    ENVIRONMENTS,
    KERAS_2,
    KERAS_3,
    REFERENCE,
    REFERENCES,
    Environment,
    load_results,
)
from tools.project import ROOT

PAGE = "docs/reference/compatibility.md"
TEMPLATE = Path(__file__).resolve().parent / "templates" / "compatibility.md.jinja"


def shown(outcome: dict) -> str:
    """What a reader sees for one snippet in one environment."""
    text = outcome["output"]
    if outcome["problem"]:
        text += f"\n[runner] the snippet {outcome['problem']}"
    return text


def names(envs: list[Environment]) -> str:
    """The environments' labels; three or more in a row of one line read "first to last"."""
    parts, run = [], []

    def close_run():
        if len(run) >= 3:
            parts.append(f"{run[0].label} to {run[-1].label}")
        else:
            parts.extend(env.label for env in run)

    for env in sorted(envs, key=ENVIRONMENTS.index):
        if run and (
            env.line != run[-1].line or ENVIRONMENTS.index(env) != ENVIRONMENTS.index(run[-1]) + 1
        ):
            close_run()
            run = []
        run.append(env)
    close_run()
    return ", ".join(parts)


@dataclasses.dataclass
class Group:
    """Environments in which a snippet printed the same text."""

    envs: list[Environment]
    text: str
    is_reference: bool

    @property
    def label(self) -> str:
        return names(self.envs)


@dataclasses.dataclass
class SnippetRow:
    name: str
    groups: list[Group]  # the reference's group first
    since: Environment | None  # the oldest Keras 3 release from which it equals the reference
    keras3_differs: list[Environment]
    keras2_same: list[Environment]
    keras2_differs: list[Environment]
    diff: str  # each other group against the reference, as a unified diff
    keras3: list[Environment]  # the Keras 3 environments that ran it, oldest first
    not_run: list[Environment]  # environments that ran, but before this snippet existed
    reference: Environment = REFERENCE  # whose output the pages show: its backend's reference

    @property
    def changed(self) -> bool:
        return len(self.groups) > 1

    @property
    def summary(self) -> str:
        """One sentence: where the reference's output holds, and since when."""
        ref = self.reference.label
        if not self.keras3_differs:
            parts = ["same on every Keras 3 release that ran"]
        elif self.since is None:
            parts = [f"differs from {ref} under {names(self.keras3_differs)}"]
        elif self.since == self.reference:
            parts = [f"{ref}'s output is new in {ref}"]
            parts.append(f"differs under {names(self.keras3_differs)}")
        else:
            parts = [f"{ref}'s output from {self.since.label} on"]
            parts.append(f"differs under {names(self.keras3_differs)}")
        if self.keras2_differs:
            parts.append(f"on the Keras 2 line, differs under {names(self.keras2_differs)}")
        if self.keras2_same:
            parts.append(f"on the Keras 2 line, same under {names(self.keras2_same)}")
        return "; ".join(parts) + "."


def backend_of(name: str, root: Path = ROOT) -> str:
    """The backend a snippet names (the default for a name that is no snippet file)."""
    path = root / "snippets" / f"{name}.py"
    try:
        return content.Snippet(path).directives().backend if path.exists() else backends.DEFAULT
    except content.ContentError:
        return backends.DEFAULT


def snippet_row(
    name: str,
    records: dict[str, dict],
    environments: list[Environment],
    backend: str = backends.DEFAULT,
) -> SnippetRow:
    """One snippet across the environments of its backend that ran; one whose results predate
    the snippet (a snippet added since the matrix last ran) counts as not run, never as the
    same."""
    reference_env = REFERENCES[backend]
    environments = [env for env in environments if env.backend == backend]
    ran = [env for env in environments if name in records[env.name]["snippets"]]
    texts = {env.name: shown(records[env.name]["snippets"][name]) for env in ran}
    reference = texts.get(reference_env.name)
    groups: dict[str, Group] = {}
    if reference is not None:
        groups[reference] = Group([], reference, True)
    for env in ran:
        text = texts[env.name]
        groups.setdefault(text, Group([], text, text == reference)).envs.append(env)
    line3 = [env for env in ran if env.line == KERAS_3]
    since = None
    if reference_env in line3:
        for env in reversed(line3[: line3.index(reference_env) + 1]):
            if texts[env.name] != reference:
                break
            since = env
    diff = "".join(
        runner.diff(reference, group.text, reference_env.label, group.label)
        for group in groups.values()
        if not group.is_reference and reference is not None
    )
    return SnippetRow(
        name=name,
        groups=list(groups.values()),
        since=since,
        keras3_differs=[env for env in line3 if texts[env.name] != reference],
        keras2_same=[env for env in ran if env.line == KERAS_2 and texts[env.name] == reference],
        keras2_differs=[env for env in ran if env.line == KERAS_2 and texts[env.name] != reference],
        diff=diff,
        keras3=line3,
        not_run=[env for env in environments if env not in ran],
        reference=reference_env,
    )


def block(text: str, language: str = "text", indent: str = "") -> str:
    """A code block that the site shows as written (no snippet include, control characters
    visible, a fence longer than any backticks in it). Tabs are expanded to 4 columns here, as
    Python-Markdown would expand them in the page anyway."""
    shown = content.visible(text).expandtabs(4)
    return content.fenced(content.escape_includes(shown), language, indent)


def render_page(records: dict[str, dict], snippet_names: list[str], backend_of=backend_of) -> str:
    """docs/reference/compatibility.md, from the results records (a pure function of them and
    of each snippet's backend, `backend_of(name)`)."""
    ran = [env for env in ENVIRONMENTS if not records[env.name].get("error")]
    of = {name: backend_of(name) for name in snippet_names}
    rows = [snippet_row(name, records, ran, of[name]) for name in snippet_names]
    # Per environment, how many of today's snippets of its backend it has not run.
    pending = {
        env.name: sum(
            name not in records[env.name]["snippets"]
            for name in snippet_names
            if of[name] == env.backend
        )
        for env in ran
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML: texts go through `block` or are our own words
    )
    environment.filters["block"] = block
    environment.globals["names"] = names
    environment.globals["backend_label"] = lambda record, env: _backend_label(record, env)
    page = environment.get_template(TEMPLATE.name).render(
        environments=ENVIRONMENTS,
        records=records,
        ran=ran,
        reference=REFERENCE,
        rows=rows,
        pending=pending,
        changed=[row for row in rows if row.changed],
        KERAS_2=KERAS_2,
        KERAS_3=KERAS_3,
    )
    return "\n".join(line.rstrip() for line in page.split("\n")).rstrip("\n") + "\n"


def _backend_label(record: dict, env: Environment) -> str:
    """The backend an environment ran and its version, from its record: 'JAX 0.10.2'."""
    found = record.get("backend") or {}
    version = found.get("version") or (record.get("versions") or {}).get(env.backend, "-")
    return f"{backends.get(env.backend).label} {version}"


def snippet_names(root: Path = ROOT) -> list[str]:
    return [snippet.name for snippet in content.snippets(root)]


def generate(root: Path = ROOT) -> str:
    """The page's text, from the stored results."""
    return render_page(load_results(root), snippet_names(root))
