"""The built site in a real Chromium, served on 127.0.0.1 the way GitHub Pages serves it.

Every .html file the build writes is visited (found in the build, not listed here) at 1280 px
(light and dark) and at 390 px, each time in a fresh browser context, so each visit is a first
load with an empty cache. A visit records console errors, failed requests, requests to any host
other than 127.0.0.1, the bytes sent to the browser (gzip-encoded, as GitHub Pages sends them),
axe-core's violations (axe.min.js bundled with axe-playwright-python, no network), horizontal
overflow and the meta description, and writes a screenshot to test-artifacts/. The phone visit
also records the page's cost on a phone (see PHONE_LOAD below). Then come the quiz, the copy
button, the theme toggle, search and the 404 page, and a test that breaks pages on purpose to
show that each check fails when it should.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import gzip
import http.server
import json
import mimetypes
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tools import content, project
from tools.project import ROOT

ARTIFACTS = ROOT / "test-artifacts"
HOST = "127.0.0.1"
BUDGET = 350_000  # bytes on the wire for a page's first load, everything it fetches included
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CHROMIUM = "/usr/bin/chromium"  # Debian's package; scripts/test installs it
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    # A request to another host fails instead of leaving the machine; the visit still records it.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}",
]
# Like GitHub Pages, the server compresses text with gzip, so "transferred" means what a
# reader's browser would download.
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb", ".map"}
EXPLAINER = "tensor-vs-variable/"
# PHONE_LOAD: what a first load costs the phone's main thread, measured in Chromium's own trace
# rather than in seconds, so a busy machine does not change it. The seconds a phone spends are
# Lighthouse's to measure (benchmarks/lighthouse.py, run on a schedule; figures in README):
# it scores "total blocking time", the main thread's long tasks, which on these pages were the
# browser restyling every element of the page several times while Material starts (the
# running-totals page restyled 39,500 elements in one load, its notebook 67,000). Off-screen code
# is now skipped (tools/code_heights.py), and a page may restyle at most this many elements:
RESTYLE_BUDGET = 20_000
# A skipped code block is exactly as tall as when it is shown (measured to the 1/2 px), and the
# load moves nothing a reader sees (Lighthouse's cumulative layout shift, summed).
SHIFT_BUDGET = 0.01
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "loading"]
# Bytes each server has written (status lines, headers, encoded bodies), by port. Chromium
# reports no body size for a worker's script, so the page weight is counted where it is sent.
SENT: dict[int, int] = {}
SENT_LOCK = threading.Lock()


@functools.cache
def site_path() -> str:
    """The path the site is published under (from site_url), which 404.html's links rely on."""
    return project.site_path(project.site_config())


class Counted:
    """A response stream that adds what is written to SENT."""

    def __init__(self, stream, port):
        self.stream, self.port = stream, port

    def write(self, data):
        with SENT_LOCK:
            SENT[self.port] = SENT.get(self.port, 0) + len(data)
        return self.stream.write(data)

    def __getattr__(self, name):
        return getattr(self.stream, name)


@contextlib.contextmanager
def serve(folder: Path):
    """Serves a built site on a free port of 127.0.0.1; yields the site's base URL."""
    folder = folder.resolve()
    prefix = site_path()

    class Handler(http.server.BaseHTTPRequestHandler):
        def setup(self):
            super().setup()
            self.wfile = Counted(self.wfile, self.server.server_port)

        def do_GET(self):
            path = unquote(urlsplit(self.path).path)
            file = None
            if path.startswith(prefix):
                candidate = (folder / path[len(prefix) :]).resolve()
                if candidate.is_dir():
                    candidate = candidate / "index.html"
                if candidate.is_relative_to(folder) and candidate.is_file():
                    file = candidate
            status = 200
            if file is None:  # what GitHub Pages does with a missing page
                status, file = 404, folder / "404.html"
            body = file.read_bytes()
            self.send_response(status)
            self.send_header("Content-Type", mimetypes.guess_type(file.name)[0] or "text/plain")
            if file.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(site):
    with serve(site) as url:
        yield url


def launch(playwright):
    """Chromium, or a failed test saying why: browser tests never skip."""
    if os.environ.get("PLAYWRIGHT_CHROMIUM") == "bundled":
        options = {}  # Playwright's own build, installed by `playwright install chromium`
    else:
        options = {"executable_path": CHROMIUM}
    try:
        return playwright.chromium.launch(headless=True, args=ARGS, **options)
    except PlaywrightError as error:
        pytest.fail(
            f"Chromium did not start ({options or 'Playwright bundled'}): install Debian's "
            f"chromium package (scripts/test does), or set PLAYWRIGHT_CHROMIUM=bundled after "
            f"`playwright install chromium`.\n{error}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def pages(site: Path, scope=None) -> list[str]:
    """Every page of a build, as a path relative to the site's base URL; with a scope (--page),
    the pages built from its files (tests/support.py, Scope)."""
    found = []
    built = None
    if scope is not None:
        docs = ROOT / "docs"
        built = {f.relative_to(docs).with_suffix("").as_posix() for f in scope.files()}
        built = {"" if b == "index" else b + "/" for b in built}
    for file in sorted(site.rglob("*.html")):
        relative = file.relative_to(site).as_posix()
        path = relative.removesuffix("index.html") if file.name == "index.html" else relative
        if built is None or path in built:
            found.append(path)
    return found


def slug(path: str) -> str:
    return path.removesuffix(".html").strip("/").replace("/", "-") or "index"


@dataclasses.dataclass
class Visit:
    url: str
    width: int
    scheme: str
    status: int | None = None
    console_errors: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)
    outside: list[str] = dataclasses.field(default_factory=list)
    transferred: int = 0
    violations: list[str] = dataclasses.field(default_factory=list)
    overflow: int = 0
    description: str = ""
    restyled: int | None = None  # elements restyled during the load (phone visits only)
    shift: float = 0.0  # layout shift during the load
    heights: list[str] = dataclasses.field(default_factory=list)  # code whose height changed

    def problems(self) -> dict[str, list[str]]:
        """What each check finds wrong with this visit; empty lists when it is clean."""
        return {
            "console": self.console_errors,
            "requests": self.failed + ([] if self.status == 200 else [f"HTTP {self.status}"]),
            "outside": self.outside,
            "axe": self.violations,
            "weight": [f"{self.transferred:,} bytes > {BUDGET:,}"]
            if self.transferred > BUDGET
            else [],
            "overflow": [f"{self.overflow} px wider than the window"] if self.overflow > 0 else [],
            "description": [] if self.description.strip() else ["no meta description"],
            "restyle": [f"{self.restyled:,} elements restyled > {RESTYLE_BUDGET:,}"]
            if (self.restyled or 0) > RESTYLE_BUDGET
            else [],
            "shift": [f"layout shift {self.shift:.3f} > {SHIFT_BUDGET}"]
            if self.shift > SHIFT_BUDGET
            else [],
            "heights": self.heights,
        }


def open_page(browser, url, viewport=DESKTOP, scheme="light", **context_options):
    context = browser.new_context(
        viewport=viewport, color_scheme=scheme, service_workers="block", **context_options
    )
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


# Runs in the page before its own scripts: the layout shifts of the load, as Lighthouse counts
# them (not those right after input).
SHIFTS = """
window.__shifts = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""

# Each code block that tools/code_heights.py marked, with the height it has while the browser
# skips it, then shown: the two must be equal, or showing it would move the page.
HEIGHTS = """() => {
  const marked = [...document.querySelectorAll(
    '.md-typeset pre > code[style*="--md-lines"], .md-typeset pre[style*="--md-lines"]')];
  const skipped = marked.map((el) => el.getBoundingClientRect().height);
  for (const el of marked) el.style.contentVisibility = "visible";
  const shown = marked.map((el) => el.getBoundingClientRect().height);
  for (const el of marked) el.style.contentVisibility = "";
  return marked.map((el, i) => [el.textContent.split("\\n")[0].slice(0, 60), skipped[i], shown[i]])
    .filter(([, a, b]) => Math.abs(a - b) > 0.5)
    .map(([line, a, b]) => `code block "${line}": ${a} px while skipped, ${b} px shown`);
}"""


def restyled_elements(trace: bytes) -> int:
    """Elements the page's main thread restyled, from a Chromium trace of one load.

    The main thread is the one that painted the first contentful paint; each style recalculation
    (`UpdateLayoutTree`) records how many elements it visited.
    """
    events = json.loads(trace)["traceEvents"]
    paints = [e for e in events if e.get("name") == "firstContentfulPaint"]
    if not paints:
        raise AssertionError("the trace has no first contentful paint")
    main = (paints[0]["pid"], paints[0]["tid"])
    return sum(
        e.get("args", {}).get("elementCount", 0)
        for e in events
        if e.get("name") == "UpdateLayoutTree" and (e.get("pid"), e.get("tid")) == main
    )


def visit(browser, url, viewport, scheme, screenshot: Path | None = None) -> Visit:
    context = browser.new_context(viewport=viewport, color_scheme=scheme, service_workers="block")
    result = Visit(url, viewport["width"], scheme)

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname != HOST:
            result.outside.append(request.url)

    def on_response(response):
        if response.status >= 400 and response.url != url:
            result.failed.append(f"{response.url} (HTTP {response.status})")

    context.on("request", on_request)
    context.on("response", on_response)
    context.on("requestfailed", lambda r: result.failed.append(f"{r.url} ({r.failure})"))
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
    page.on("pageerror", lambda error: result.console_errors.append(str(error)))
    phone = viewport == PHONE
    page.add_init_script(SHIFTS)
    try:
        port = urlsplit(url).port
        before = SENT.get(port, 0)
        if phone:
            browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        try:
            response = page.goto(url)
            page.wait_for_load_state("networkidle")
        finally:
            trace = browser.stop_tracing() if phone else None
        result.status = response.status
        result.transferred = SENT.get(port, 0) - before
        result.shift = page.evaluate("window.__shifts")
        if trace is not None:
            result.restyled = restyled_elements(trace)
        for violation in Axe().run(page).response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            result.violations.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}: {targets[:5]}"
            )
        result.overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        meta = page.locator('meta[name="description"]')
        result.description = (meta.first.get_attribute("content") or "") if meta.count() else ""
        result.heights = page.evaluate(HEIGHTS)
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
    finally:
        context.close()
    return result


@pytest.fixture(scope="session")
def visits(site, scope) -> dict[tuple[str, int, str], Visit]:
    """Every page (with --page, those of its scope) at every viewport, by (path, width,
    scheme). Two browsers visit at once, each
    in a thread of its own (Playwright's objects belong to the thread that made them) with a
    server of its own (the bytes sent are counted by server): most of a visit is Chromium
    rendering and axe-core checking, which two cores do side by side."""
    ARTIFACTS.mkdir(exist_ok=True)
    site_path()  # loads mkdocs.yml here: MkDocs' loading is not made for two threads at once
    jobs = [
        (path, viewport, scheme)
        for path in pages(site, scope)
        for viewport, scheme in [(DESKTOP, "light"), (DESKTOP, "dark"), (PHONE, "light")]
    ]

    def visit_some(share):
        with serve(site) as base_url, sync_playwright() as playwright:
            chromium = launch(playwright)
            try:
                return [
                    (
                        (path, viewport["width"], scheme),
                        visit(
                            chromium,
                            base_url + path,
                            viewport,
                            scheme,
                            ARTIFACTS / f"{slug(path)}-{viewport['width']}"
                            f"{'-dark' if scheme == 'dark' else ''}.png",
                        ),
                    )
                    for path, viewport, scheme in share
                ]
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        shares = pool.map(visit_some, [jobs[0::2], jobs[1::2]])
        return dict(pair for share in shares for pair in share)


def problems_of(visits, check, width=None):
    return [
        f"{path or 'index'} at {w} px {scheme}: {problem}"
        for (path, w, scheme), v in visits.items()
        if width in (None, w)
        for problem in v.problems()[check]
    ]


def test_every_page_of_the_build_is_visited(site, visits, scope):
    visited = {path for path, _, _ in visits}
    assert visited == set(pages(site, scope))
    if scope is None:
        assert len(visited) == len(list(site.rglob("*.html")))
        assert {"", EXPLAINER, "404.html"} <= visited
    for path in visited:
        assert (ARTIFACTS / f"{slug(path)}-1280.png").stat().st_size > 0
        assert (ARTIFACTS / f"{slug(path)}-390.png").stat().st_size > 0


def test_no_console_errors(visits):
    assert problems_of(visits, "console") == []


def test_no_failed_requests(visits):
    assert problems_of(visits, "requests") == []


def test_no_requests_to_another_host(visits):
    assert problems_of(visits, "outside") == []


def test_no_accessibility_violations(visits):
    assert problems_of(visits, "axe") == []


def test_first_load_within_the_weight_budget(visits):
    assert all(v.transferred > 10_000 for v in visits.values()), "nothing was measured"
    assert problems_of(visits, "weight") == []


def test_no_horizontal_scrolling_on_a_phone(visits):
    assert problems_of(visits, "overflow", width=PHONE["width"]) == []


def test_every_page_has_a_meta_description(visits):
    assert problems_of(visits, "description") == []


def test_first_load_on_a_phone_restyles_within_budget(visits):
    phone = [v for (_, w, _), v in visits.items() if w == PHONE["width"]]
    assert phone and all(v.restyled and v.restyled > 100 for v in phone), "nothing was measured"
    assert problems_of(visits, "restyle") == []


def test_loading_moves_nothing(visits):
    assert problems_of(visits, "shift") == []


def test_off_screen_code_is_as_tall_as_when_shown(visits):
    assert problems_of(visits, "heights") == []


# Each broken page must trip its own check: proof that the checks above can fail.
BROKEN = {
    "axe": '<img src="../assets/images/favicon.png">',
    "outside": '<img alt="" src="https://example.com/pixel.png">',
    "console": "<script>console.error('broken on purpose')</script>",
    "requests": '<img alt="" src="no-such-image.png">',
    "overflow": '<div style="width: 2000px">too wide</div>',
    "weight": '<script src="noise.js"></script>',
    # 400 more elements, then every element restyled 60 times: a class that a `.x *` rule
    # reads is toggled on <body>, then the layout is read (what Material's palette does once).
    "restyle": '<style>.x * { color: red }</style><div id="many"></div><script>'
    'const many = document.getElementById("many");'
    "for (let i = 0; i < 400; i++) many.append(document.createElement('span'));"
    "for (let i = 0; i < 60; i++) { document.body.classList.toggle('x');"
    " document.body.offsetHeight }</script>",
    "shift": '<div id="grows"></div><script>setTimeout(() => '
    "document.getElementById('grows').style.height = '400px', 100)</script>",
    # Off screen, marked one line long, three lines shown.
    "heights": '<div style="height: 3000px"></div><pre><code style="--md-lines: 1">a\nb\nc\n'
    "</code></pre>",
}


@pytest.mark.machinery
def test_broken_pages_fail_the_checks(site, browser, tmp_path):
    broken_site = tmp_path / "site"
    shutil.copytree(site, broken_site)
    # The 404 page, the smallest the build writes, links to everything by absolute path, so a
    # copy works in any folder; the checks still run on a whole themed page.
    template = (site / "404.html").read_text(encoding="utf-8")
    for check, html in BROKEN.items():
        folder = broken_site / f"broken-{check}"
        folder.mkdir()
        page = template.replace("<h1", html + "<h1", 1)
        assert page != template, "the 404 page has no <h1> to put the breakage before"
        (folder / "index.html").write_text(page, encoding="utf-8")
    # Random text: gzip cannot shrink it below the budget.
    noise = "// " + base64.b64encode(os.urandom(BUDGET)).decode()
    (broken_site / "broken-weight" / "noise.js").write_text(noise)
    with serve(broken_site) as url:
        for check, html in BROKEN.items():
            found = visit(browser, f"{url}broken-{check}/", PHONE, "light").problems()
            assert found[check], f"{check} check missed {html}"
            if check == "axe":
                assert any(v.startswith("image-alt ") for v in found["axe"]), found["axe"]


def test_404_page_is_served_for_a_missing_page(base_url, browser):
    found = visit(browser, base_url + "no-such-page/", DESKTOP, "light")
    assert found.status == 404
    problems = found.problems()
    assert problems.pop("requests") == ["HTTP 404"]
    # Chromium logs the page's own 404 as a console error; nothing else may be logged.
    assert [e for e in problems.pop("console") if "status of 404" not in e] == []
    assert all(p == [] for p in problems.values()), problems


# The quiz ------------------------------------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def quiz_source(base_url, browser):
    """The quiz as written in Markdown, read with JavaScript off: what a reader without it sees."""
    page = open_page(browser, base_url + EXPLAINER, java_script_enabled=False)
    quiz = page.locator(".quiz")
    assert quiz.locator("fieldset").count() == 0
    options = quiz.locator(":scope > ol > li")
    answer = [
        i
        for i in range(options.count())
        if "quiz-answer" in (options.nth(i).get_attribute("class") or "")
    ]
    details = quiz.locator(":scope > details")
    assert not details.evaluate("d => d.open")
    details.locator("summary").click()  # opens without JavaScript: a native <details>
    explanations = [words(t) for t in details.locator(":scope > ol > li").all_inner_texts()]
    source = {
        "options": [words(t) for t in options.all_inner_texts()],
        "answer": answer,
        "explanations": explanations,
        "summary": words(details.locator("summary").inner_text()),
    }
    page.context.close()
    return source


@pytest.mark.page("docs/tensor-vs-variable.md")
def test_quiz_reads_without_javascript(quiz_source):
    assert len(quiz_source["options"]) >= 4
    assert len(quiz_source["answer"]) == 1
    assert len(quiz_source["explanations"]) == len(quiz_source["options"])
    assert quiz_source["summary"].startswith(f"Answer: {quiz_source['answer'][0] + 1}")


def check_feedback(quiz, source, index):
    feedback = quiz.locator("[aria-live=polite]")
    expected = ("Right. " if index in source["answer"] else "Not quite. ") + source["explanations"][
        index
    ]
    assert words(feedback.inner_text()) == expected
    labels = quiz.locator("label.quiz__option")
    mark = "quiz__option--right" if index in source["answer"] else "quiz__option--wrong"
    assert mark in labels.nth(index).get_attribute("class")
    marked = quiz.locator(".quiz__option--right, .quiz__option--wrong")
    assert marked.count() == 1


@pytest.mark.page("docs/tensor-vs-variable.md")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_quiz_by_mouse(base_url, browser, quiz_source, scheme):
    page = open_page(browser, base_url + EXPLAINER, scheme=scheme)
    quiz = page.locator(".quiz")
    group = quiz.locator("fieldset")
    assert words(group.locator("legend").inner_text()).startswith("You are writing a custom")
    labels = group.locator("label.quiz__option")
    assert [words(t) for t in labels.all_inner_texts()] == quiz_source["options"]
    assert quiz.locator("[aria-live=polite]").inner_text() == ""
    for index in [*range(labels.count()), 0]:  # every option, then a change of mind
        labels.nth(index).click()
        check_feedback(quiz, quiz_source, index)
        assert group.locator("input:checked").count() == 1
    labels.nth(quiz_source["answer"][0]).click()
    quiz.scroll_into_view_if_needed()
    quiz.screenshot(path=ARTIFACTS / f"quiz-1280-{scheme}.png")
    page.set_viewport_size(PHONE)
    quiz.screenshot(path=ARTIFACTS / f"quiz-390-{scheme}.png")
    page.context.close()


@pytest.mark.page("docs/tensor-vs-variable.md")
def test_quiz_by_keyboard(base_url, browser, quiz_source):
    page = open_page(browser, base_url + EXPLAINER)
    quiz = page.locator(".quiz")
    page.locator("#practice-question a.headerlink").focus()
    page.keyboard.press("Tab")  # into the radio group, on its first option
    page.keyboard.press("Space")
    check_feedback(quiz, quiz_source, 0)
    for index in range(1, len(quiz_source["options"])):
        page.keyboard.press("ArrowDown")  # moves to the next option and chooses it
        check_feedback(quiz, quiz_source, index)
    page.keyboard.press("ArrowDown")  # wraps round to the first
    check_feedback(quiz, quiz_source, 0)
    # From the right answer, Tab reaches the link in its explanation, and Enter follows it.
    for _ in range(quiz_source["answer"][0]):
        page.keyboard.press("ArrowDown")
    check_feedback(quiz, quiz_source, quiz_source["answer"][0])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.quiz__feedback') !== null")
    assert focused, "Tab from the radio group did not reach the explanation's link"
    page.keyboard.press("Enter")
    assert page.url.endswith("#check-your-answer-by-running-it")
    page.context.close()


# The copy button and the theme toggle ---------------------------------------------------------


def section(name: str, part: str) -> str:
    """A named section of a snippet, as pymdownx.snippets includes it (dedented)."""
    return content.Snippet(ROOT / "snippets" / f"{name}.py").section_text(part)


@pytest.mark.page("docs/tensor-vs-variable.md")
@pytest.mark.parametrize(
    ("title", "name", "part"),
    [
        ("snippets/tensor_state_layer.py", "tensor_state_layer", "layer"),
        ("snippets/tensor_state_layer.py (run alone)", "tensor_state_layer", "check"),
    ],
)
def test_copy_button_copies_the_snippet_exactly(base_url, browser, title, name, part):
    page = open_page(
        browser, base_url + EXPLAINER, permissions=["clipboard-read", "clipboard-write"]
    )
    block = page.locator(".highlight").filter(
        has=page.locator(".filename").get_by_text(title, exact=True)
    )
    block.first.hover()
    block.first.locator("button[data-md-type=copy]").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip("\n") == section(name, part).strip("\n")
    page.context.close()


@pytest.mark.page("docs/tensor-vs-variable.md")
def test_theme_toggle_switches_palettes(base_url, browser):
    page = open_page(browser, base_url + EXPLAINER)
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    page.locator("label[title='Switch to dark mode']:visible").click()
    assert page.evaluate(scheme) == "slate"
    page.locator("label[title='Switch to light mode']:visible").click()
    assert page.evaluate(scheme) == "default"
    page.context.close()
    # With no choice made yet, the palette follows the system setting.
    page = open_page(browser, base_url + EXPLAINER, scheme="dark")
    assert page.evaluate(scheme) == "slate"
    page.context.close()


# Search ----------------------------------------------------------------------------------------


def search(page, term: str) -> tuple[str, list[str]]:
    """Material's count line and the page of each result it lists for `term`, typed as a reader
    types it, as paths relative to the site."""
    box = page.locator(".md-search__input")
    box.click()
    box.press_sequentially(term)
    meta = page.locator(".md-search-result__meta")
    meta.filter(has_text="matching").wait_for()
    hrefs = page.locator(".md-search-result__item").evaluate_all(
        "items => items.map(li => li.querySelector('a').href)"
    )
    return meta.inner_text(), [urlsplit(h).path.removeprefix(site_path()) for h in hrefs]


@pytest.mark.parametrize("term", ["assign_add", "MirroredStrategy"])
def test_search_finds_each_page_once_and_not_its_notebook(base_url, browser, term):
    page = open_page(browser, base_url)
    count, found = search(page, term)
    page.context.close()
    assert EXPLAINER in found, found
    assert len(found) == len(set(found)), f"a page listed twice: {found}"
    assert not [p for p in found if p.startswith("notebook/")], found
    assert count == f"{len(found)} matching documents", (count, found)
