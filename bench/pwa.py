"""Measure the PWA against its targets (DESIGN.md, Performance).

    .venv/bin/python bench/pwa.py [--runs 7] [--no-lighthouse]

Starts the server on 127.0.0.1 with the demo company on a fresh SQLite
file and prints a table of:

- first load: every file the service worker precaches, as the browser
  downloads it (gzip where the server compresses), plus the worker;
- offline start: a signed-in phone (360 x 740) with the network off,
  from navigation start to the first service order on screen (median);
- Lighthouse (mobile) performance, accessibility and best practices of
  the main screens, when Lighthouse is installed in bench/.work
  (`npm install --prefix bench/.work lighthouse@12`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

import httpx
from demo_server import demo_server
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / ".work" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
FIRST_LOAD_TARGET = 150 * 1024
# The screens Lighthouse grades, and who is signed in for each.
SCREENS = {
    "sign in": ("/", None),
    "my service orders": ("/#/orders", "tech1@demo.test"),
    "my time": ("/#/time", "tech1@demo.test"),
    "approvals": ("/#/approvals", "supervisor@demo.test"),
}
OFFLINE_START_TARGET_MS = 500
# Records when the first service order reaches the screen, before any
# script of the app runs (init scripts are injected by the browser tools).
WATCH_FIRST_CARD = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.order-card')) {
    window.__firstCard = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def first_load(url: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes on the wire for the app shell, as a first visit downloads it."""
    worker = httpx.get(url + "/sw.js").text
    precache = json.loads(worker.splitlines()[1].removeprefix("const PRECACHE = ").rstrip(";"))
    sizes = []
    with httpx.Client(base_url=url, headers={"accept-encoding": "gzip"}) as client:
        for path in [*precache, "/sw.js"]:
            response = client.get(path)
            sizes.append((path, response.num_bytes_downloaded))
    return sum(size for _, size in sizes), sorted(sizes, key=lambda item: -item[1])


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/")
    page.fill("#email", email)
    page.fill("#password", "demo")
    page.locator("form[data-submit=signin] button[type=submit]").click()


def wait_until(page: Page, expression: str, timeout: float = 20.0) -> object:
    """Poll ``expression``: the app's CSP forbids ``wait_for_function``'s eval."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(20)


def offline_start_ms(url: str, runs: int) -> list[float]:
    """Milliseconds from navigation to the first service order, offline."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(**PHONE)
        context.add_init_script(WATCH_FIRST_CARD)
        page = context.new_page()
        sign_in(page, url, "tech1@demo.test")
        page.wait_for_selector(".order-card")
        wait_until(page, "navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        timings = []
        for _ in range(runs):
            page.reload()
            timings.append(float(wait_until(page, "window.__firstCard")))  # type: ignore[arg-type]
        browser.close()
    return timings


def session_cookie(url: str, email: str) -> str:
    response = httpx.post(url + "/api/auth/login", json={"email": email, "password": "demo"})
    response.raise_for_status()
    return f"affaires_session={response.cookies['affaires_session']}"


def lighthouse(url: str, cookie: str | None) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--form-factor=mobile",
        "--quiet",
        "--output=json",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=" + " ".join([*CHROMIUM_FLAGS, "--headless=new"]),
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=240,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-500:])
    report = json.loads(done.stdout)
    return {name: round(100 * category["score"]) for name, category in report["categories"].items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-lighthouse", action="store_true")
    options = parser.parse_args()

    with demo_server() as server:
        url = server.url
        total, files = first_load(url)
        timings = offline_start_ms(url, options.runs)
        scores = {}
        if not options.no_lighthouse and LIGHTHOUSE.exists():
            for name, (path, email) in SCREENS.items():
                cookie = session_cookie(url, email) if email else None
                scores[name] = lighthouse(url + path, cookie)

    print("| figure | measured | target | met |")
    print("|---|---|---|---|")
    print(
        f"| PWA first load (all files, gzip) | {total / 1024:.1f} KB | < 150 KB | "
        f"{'yes' if total < FIRST_LOAD_TARGET else 'no'} |"
    )
    median = statistics.median(timings)
    print(
        f"| start from cache, offline, to the job list (median of {len(timings)}) | "
        f"{median:.0f} ms | < 500 ms | {'yes' if median < OFFLINE_START_TARGET_MS else 'no'} |"
    )
    for name, score in scores.items():
        met = (
            score.get("performance", 0) >= 95
            and score.get("accessibility", 0) == 100
            and score.get("best-practices", 0) >= 95
        )
        print(
            f"| Lighthouse mobile, {name} | performance {score.get('performance')}, "
            f"accessibility {score.get('accessibility')}, best practices "
            f"{score.get('best-practices')} | >= 95, 100, >= 95 | {'yes' if met else 'no'} |"
        )
    if not scores:
        print("| Lighthouse | not run (install it in bench/.work) | | |")
    print()
    print("Largest files on the wire:")
    for path, size in files[:8]:
        print(f"  {size / 1024:6.1f} KB  {path}")


if __name__ == "__main__":
    main()
