"""`make openapi`: write each service's committed services/<name>/openapi.json from its running app; `--check` compares.

The apps are built with throwaway settings (a temporary SQLite data directory, a dummy admin token), so
no broker, database server or secret is needed. A service whose package cannot be imported yet is skipped
with a message.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path

from shared.settings import SERVICES, load_settings

ROOT = Path(__file__).resolve().parents[1]
DUMMY_ADMIN_TOKEN = "openapi-export-dummy-token"


def spec_path(service: str, root: Path = ROOT) -> Path:
    """Where the committed spec of `service` lives."""
    return root / "services" / service / "openapi.json"


def render_spec(spec: dict) -> str:
    """The committed text of a spec: sorted keys, two-space indent, trailing newline, so diffs stay small."""
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def build_spec(service: str) -> dict | None:
    """The OpenAPI document the app of `service` serves at /openapi.json, or None if the service does not exist yet."""
    try:
        module = importlib.import_module(f"services.{service}.app")
    except ModuleNotFoundError as exc:
        if exc.name and (exc.name == f"services.{service}" or exc.name.startswith(f"services.{service}.app")):
            return None
        raise
    with tempfile.TemporaryDirectory(prefix=f"rakor-openapi-{service}-") as data_dir:
        settings = load_settings(
            service, environ={"DATA_DIR": data_dir, "RAKOR_ADMIN_TOKEN": DUMMY_ADMIN_TOKEN, "LOG_LEVEL": "WARNING", "RAKOR_ENV": "dev"}
        )
        app = module.create_app(settings)
        response = app.test_client().get("/openapi.json")
        if response.status_code != 200:
            raise RuntimeError(f"{service}: GET /openapi.json answered {response.status_code}")
        return response.get_json()


def export(services: tuple[str, ...] = SERVICES, root: Path = ROOT, *, check: bool = False) -> int:
    """Write (or with `check`, compare) each service's spec; returns the exit status."""
    differing: list[str] = []
    for service in services:
        spec = build_spec(service)
        if spec is None:
            print(f"{service}: skipped, services/{service}/app.py does not exist yet")
            continue
        text, path = render_spec(spec), spec_path(service, root)
        committed = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if committed != text:
                differing.append(service)
                reason = "is missing" if committed is None else "differs from the app"
                print(f"{service}: services/{service}/openapi.json {reason}", file=sys.stderr)
            else:
                print(f"{service}: openapi.json is up to date")
        elif committed != text:
            path.write_text(text, encoding="utf-8")
            print(f"{service}: wrote services/{service}/openapi.json")
        else:
            print(f"{service}: openapi.json unchanged")
    if differing:
        print(f"run `make openapi` and commit the result ({', '.join(differing)})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `make openapi` and of the CI check."""
    parser = argparse.ArgumentParser(prog="python -m deploy.export_openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed spec differs")
    parser.add_argument("services", nargs="*", metavar="SERVICE", help=f"only these services ({', '.join(SERVICES)}; default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.services) - set(SERVICES))
    if unknown:
        parser.error(f"unknown service {', '.join(unknown)}; choose from {', '.join(SERVICES)}")
    return export(tuple(args.services) or SERVICES, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
