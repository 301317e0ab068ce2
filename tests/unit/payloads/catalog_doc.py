"""The README's "Task catalog" section, rendered from tasks/payloads/.

`python -m tests.unit.payloads.catalog_doc` prints it, `... --write` replaces the section
in README.md (and nothing else); test_catalog.py fails when the README's copy differs, so
the documented payloads are always the ones the code accepts.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tasks.payloads import EXAMPLES, RESULT_EXAMPLES, VALIDATION_FAILURE_EXAMPLE, task_summaries

INTRO = """\
## Task catalog

The runner enqueues a task by name with a JSON payload:
`send_task("snap.campaign.create", kwargs=payload)`. Payloads are the models of
`tasks/payloads/` (`TASK_PAYLOADS`); `snapfleet schema` lists the tasks,
`snapfleet schema TASK` prints a payload's JSON schema and `--example` a valid payload.

- Money is in USD (`*_usd`): a JSON number or a string, from 0 to a billion, at most 6
  decimals, kept as an exact `Decimal` (`0.1` stays `0.1`). The task converts it to the ad account's
  micro-currency with the account's FX rate; `roas_value` is a ratio (1.5 = 1.5x), not money.
- Datetimes are ISO-8601 with an offset (`2026-03-01T00:00:00-08:00`); an end must follow its start.
- Unknown fields are refused by name; every entity payload names its `ad_account_id`.
- An ad account payload may also name its `tenant_id` (the dashboard tenant asking): an
  ad account another tenant's connection owns is then refused before any request, with
  the `validation` result naming `ad_account_id` (never whose account it is). An ad
  account no connection holds is refused the same way, with `not_connected`.
- Creates ship `PAUSED` unless `status` says `ACTIVE`. Update, pause and resume read the
  entity and send it back with the change, so Snap's required update fields (seeds 001,
  002, 004) are always present; pause/resume change only `status`.
- Results are JSON in the result backend: `status`, `dry_run` and the Snap ids are the
  contract (docs/architecture.md, Contracts); the other keys shown below are illustrative.
- A refused payload never reaches Snap. The task fails at once with:

```json
{failure}
```
"""


def render_task(task: str, summary: str) -> str:
    payload = json.dumps(EXAMPLES[task], indent=2)
    result = json.dumps(RESULT_EXAMPLES[task])
    summary = summary[:1].upper() + summary[1:]
    return f"### `{task}`\n\n{summary}\n\n```json\n{payload}\n```\n\nReturns `{result}`.\n"


def render_catalog() -> str:
    """The whole section, from `## Task catalog` to the last task."""
    intro = INTRO.format(failure=json.dumps(VALIDATION_FAILURE_EXAMPLE, indent=2))
    tasks = [render_task(task, summary) for task, summary in task_summaries().items()]
    return "\n".join([intro, *tasks])


README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = re.compile(r"^## Task catalog\n.*?(?=^## )", re.MULTILINE | re.DOTALL)


def write_readme(path: Path = README) -> None:
    """Replace the README's Task catalog section (up to the next `## ` heading)."""
    text = path.read_text(encoding="utf-8")
    section = render_catalog().rstrip("\n") + "\n\n"
    updated, count = SECTION.subn(lambda _: section, text, count=1)
    if count != 1:
        raise SystemExit("README.md has no '## Task catalog' section followed by another '## '")
    path.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        write_readme()
    else:
        print(render_catalog())
