"""Run every benchmark: `python -m bench [--seconds N]` (each bench is bounded in time)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import bench


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="per measured loop")
    args = parser.parse_args()
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.endswith("_bench"):
            print(f"== {module}")
            importlib.import_module(f"bench.{module}").run(args.seconds)


if __name__ == "__main__":
    main()
