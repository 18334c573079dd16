"""pytest's command-line option `--page docs/<page>.md` (scripts/test-page); tests/conftest.py
does its work.

It is declared here, at the root of the repository, because pytest reads options only from the
conftest.py files it loads before it parses the command line: those of the folders named on the
command line and of their parents. With `--page docs/x.md` it would not load tests/conftest.py
in time, and would refuse the option.
"""


def pytest_addoption(parser):
    parser.addoption(
        "--page",
        action="append",
        default=[],
        metavar="docs/PAGE.md",
        help="run only the tests that this page, its snippets and the pages that share them can "
        "fail (scripts/test-page); may be given more than once",
    )
