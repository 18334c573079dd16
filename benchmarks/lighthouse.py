"""Lighthouse's scores for every page of the built site, on a phone, served with gzip.

    .venv/bin/python benchmarks/lighthouse.py [--runs N] [--check] [--builder mkdocs]
                                              [--project FOLDER]

Builds the site (without TensorFlow, as it is deployed), serves it on 127.0.0.1 with gzip the
way GitHub Pages does (the server of tests/test_browser.py), and runs Lighthouse from npm
(benchmarks/lighthouse/, installed here with `npm ci`) on every page the build wrote (found in
the build, not listed): its default mobile settings (a mid-range phone, simulated slow 4G and a
4x slower CPU), the same Chromium the browser tests use. Each page is measured N times (3 by
default); the table shows the median of each category and of the metrics behind the
performance score. Lighthouse simulates the throttling from one real load, so a busy machine
still makes its tasks longer: load averages are printed with the table.

--check exits 1 when a page's median performance is below 95 or another category below 100
(what issue 22 asks of every page); the scheduled workflow .github/workflows/lighthouse.yml runs
it. It is not part of `bash scripts/test`: about 15 s per run of a page here, 14 minutes for 13
pages three times.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support import build_site  # noqa: E402
from test_browser import ARGS, CHROMIUM, pages, serve  # noqa: E402

NPM = ROOT / "benchmarks" / "lighthouse"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "SI",
}
REQUIRED = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def chromium() -> str:
    """The Chromium the browser tests use: Debian's, or Playwright's own when
    PLAYWRIGHT_CHROMIUM=bundled (GitHub Actions)."""
    if os.environ.get("PLAYWRIGHT_CHROMIUM") == "bundled":
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            return playwright.chromium.executable_path
    return CHROMIUM


def install() -> Path:
    """Lighthouse as benchmarks/lighthouse/package-lock.json pins it; returns its CLI."""
    cli = NPM / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        if shutil.which("npm") is None:
            sys.exit("benchmark: npm is needed to install Lighthouse (Debian: apt-get install npm)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NPM, check=True)
    return cli


def lighthouse(cli: Path, url: str, browser: str, report: Path) -> dict:
    """One Lighthouse run of `url` (mobile defaults); the parsed JSON report."""
    flags = [a for a in ARGS if not a.startswith("--host-resolver-rules")]
    flags = [("--headless=new" if a == "--headless" else a) for a in flags]
    subprocess.run(
        [
            "node",
            str(cli),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join(flags)}",
        ],
        env={**os.environ, "CHROME_PATH": browser},
        check=True,
    )
    return json.loads(report.read_text(encoding="utf-8"))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs of each page")
    parser.add_argument("--check", action="store_true", help="exit 1 below the required scores")
    parser.add_argument("--builder", default="properdocs", choices=["mkdocs", "properdocs"])
    parser.add_argument(
        "--project",
        type=Path,
        default=ROOT,
        help="build this copy of the project instead (an older commit: `git archive`)",
    )
    args = parser.parse_args()
    cli, browser = install(), chromium()
    rows, failures = [], []
    load_before = load()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        built = build_site(args.project, site, builder=args.builder)
        if built.returncode:
            sys.exit(f"benchmark: the build failed:\n{built.stderr}")
        with serve(site) as base_url:
            for path in pages(site):
                runs = [
                    lighthouse(cli, base_url + path, browser, Path(tmp) / "report.json")
                    for _ in range(args.runs)
                ]
                scores = {
                    c: statistics.median(round(r["categories"][c]["score"] * 100) for r in runs)
                    for c in CATEGORIES
                }
                metrics = {
                    name: statistics.median(r["audits"][audit]["numericValue"] for r in runs)
                    for audit, name in METRICS.items()
                }
                performance = sorted(round(r["categories"]["performance"]["score"] * 100)
                                     for r in runs)  # fmt: skip
                rows.append((path or "(home)", scores, metrics, performance))
                failures += [
                    f"{path or '(home)'}: {c} {scores[c]} < {REQUIRED[c]}"
                    for c in CATEGORIES
                    if scores[c] < REQUIRED[c]
                ]
    print(
        f"{datetime.date.today()}, built with {args.builder}, {args.runs} runs per page, "
        f"Lighthouse {runs[0]['lighthouseVersion']}, "
        f"{runs[0]['environment']['hostUserAgent'].split()[-2]}, "
        f"{os.cpu_count()} CPUs, load averages {load_before} before and {load()} after\n"
    )
    print("| page | performance (runs) | accessibility | best practices | SEO "
          "| FCP | LCP | TBT | CLS | SI |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for path, scores, metrics, performance in rows:
        print(
            f"| {path} | {scores['performance']:.0f} ({', '.join(map(str, performance))}) "
            f"| {scores['accessibility']:.0f} | {scores['best-practices']:.0f} "
            f"| {scores['seo']:.0f} | {metrics['FCP'] / 1000:.1f} s "
            f"| {metrics['LCP'] / 1000:.1f} s | {metrics['TBT']:.0f} ms "
            f"| {metrics['CLS']:.3f} | {metrics['SI'] / 1000:.1f} s |"
        )
    for failure in failures:
        print(f"below the requirement: {failure}", file=sys.stderr)
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
