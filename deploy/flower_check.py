"""Look at Flower in a real headless Chromium: its task list, as an operator sees it.

    FLOWER_BASIC_AUTH=user:password python deploy/flower_check.py \\
        --url http://127.0.0.1:5555 --expect FAILURE --expect not_connected \\
        --screenshot /tmp/flower.png

Loads Flower's task list (`/tasks`, filled by its JavaScript from `/tasks/datatable`) in
Debian's `chromium` (`apt-get install chromium`), headless, with the basic-auth login in
the URL; waits for the page's scripts to settle; saves a screenshot and checks that each
`--expect` text is in the rendered page (exit 1 naming the missing ones). Run it while the
fleet works: a task that returned `{"status": "failed", ...}` shows as FAILURE
(worker/task_events.py). Also checks that the page refuses a browser without the login.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # run as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
    "--window-size=1600,1000",
    "--virtual-time-budget=8000",  # let the page's XHRs (the task table) finish
)


def with_login(url: str, login: str) -> str:
    user, _, password = login.partition(":")
    parts = urlsplit(url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        sys.exit("flower_check: chromium not found (apt-get install chromium)")
    argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)  # noqa: S603


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5555")
    parser.add_argument("--path", default="/tasks")
    parser.add_argument("--screenshot", type=Path, default=Path("flower.png"))
    parser.add_argument("--expect", action="append", default=[])
    options = parser.parse_args()
    login = os.environ.get("FLOWER_BASIC_AUTH", "").split(",")[0]
    if ":" not in login:
        sys.exit("flower_check: set FLOWER_BASIC_AUTH=user:password")
    page = options.url.rstrip("/") + options.path
    with tempfile.TemporaryDirectory(prefix="flower-check-") as profile:
        bare = chromium(["--dump-dom", page], Path(profile) / "bare")
        refused = "datatable" not in bare.stdout
        shot = chromium(
            [f"--screenshot={options.screenshot.resolve()}", with_login(page, login)],
            Path(profile) / "shot",
        )
        dom = chromium(["--dump-dom", with_login(page, login)], Path(profile) / "dom").stdout
    missing = [text for text in options.expect if text not in dom]
    print(f"screenshot: {options.screenshot} ({'saved' if shot.returncode == 0 else 'failed'})")
    print(f"without the login: {'refused' if refused else 'SHOWN'}")
    print(f"rendered page: {len(dom)} characters; missing: {missing or 'nothing'}")
    return 0 if shot.returncode == 0 and refused and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
