"""The vote page's encryption in the browser: a 20-candidate STV ranking encoded, encrypted and
proved by static/js/e2e-vote.js in headless Chromium, with the CPU throttled (issue 14's
budget: at most 300 ms at 4x throttling).

Run: .venv/bin/python bench/e2e_browser.py [--throttle 4] [--runs 20]
No Django: the static files are served to the page from the repository by Playwright's router.
Prints the load average, then the median, p90 and max milliseconds per paper, measured in the
page with performance.now() around encryptPaper (fresh randomness each run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "http://bench.invalid"
PAGE = "<!doctype html><title>bench</title>"
VECTOR = json.loads((ROOT / "tests/data/e2e/ballot_vectors.json").read_text())[0]

MEASURE = """async ({vector, runs}) => {
  const e2e = await import("/static/js/e2e-vote.js");
  const marks = [...Array(20).keys()].reverse();
  const times = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = performance.now();
    e2e.encryptPaper({electionId: vector.election_id, question: vector.question,
      credential: vector.credential, publicKey: vector.public_key, marks});
    times.push(performance.now() - start);
  }
  return times.slice(2);
}"""


def serve(route) -> None:  # type: ignore[no-untyped-def]
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/static/"):
        body = (ROOT / path.removeprefix("/")).read_bytes()
        route.fulfill(status=200, body=body, headers={"Content-Type": "text/javascript"})
    else:
        route.fulfill(status=200, body=PAGE, headers={"Content-Type": "text/html"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--throttle", type=float, default=4.0)
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": arguments.throttle})
        times = sorted(page.evaluate(MEASURE, {"vector": VECTOR, "runs": arguments.runs}))
        browser.close()
    p90 = times[int(0.9 * (len(times) - 1))]
    print(
        f"20-candidate ranking, {arguments.throttle}x CPU throttling, {len(times)} papers: "
        f"median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, max {times[-1]:.1f} ms"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
