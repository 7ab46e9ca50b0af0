"""Container health check for processes without HTTP: healthy while their loop keeps touching a heartbeat file.

Usage: python -m shared.healthcheck /data/registration-relay.alive --max-age 30
Exits 0 when the file was modified less than --max-age seconds ago, 1 otherwise (missing file included).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the heartbeat file was last touched, or None when there is no such file."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - modified


def main(argv: list[str] | None = None) -> int:
    """Check one heartbeat file; print the reason when it is stale so `docker inspect` shows it."""
    parser = argparse.ArgumentParser(prog="python -m shared.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="heartbeat file the process touches while its loop runs")
    parser.add_argument("--max-age", type=float, default=30.0, help="seconds after which the process counts as stuck")
    args = parser.parse_args(argv)
    age = heartbeat_age(args.file)
    if age is None:
        print(f"unhealthy: {args.file} does not exist (the loop has not started)", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(f"unhealthy: {args.file} last touched {age:.0f} s ago (limit {args.max_age:.0f} s)", file=sys.stderr)
        return 1
    print(f"healthy: {args.file} touched {max(age, 0):.1f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
