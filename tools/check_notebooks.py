"""Check that notebooks are valid nbformat: `python -m tools.check_notebooks FILE.ipynb ...`.

Used by the pre-commit hook `nbformat`; every file is checked, and each problem names its file.
"""

import sys

import nbformat


def main(paths: list[str]) -> int:
    failed = 0
    for path in paths:
        try:
            nbformat.validate(nbformat.read(path, as_version=nbformat.NO_CONVERT))
        except Exception as error:  # unreadable JSON or a schema violation: report, go on
            failed += 1
            print(f"{path}: not a valid notebook: {str(error).splitlines()[0]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
