"""What a phone downloads to open the door page: the HTML and every asset it references, with and without gzip.

    python -m bench.console_door_page_size

The page is rendered by the console's Flask app for a signed-in door session (stored directly, so no
registration service is needed; the page then lacks only its counter, a few bytes). Assets are found by
reading the page's <link> and <script> tags, so whatever the page loads is counted. The baseline, measured
in the same run, is the same page served without compression; the target is 250 KB in total.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile

from services.console.app import create_app
from services.console.door.views import COOKIE
from services.console.security import EXTENSION
from services.console.settings import load_console_settings

TARGET_BYTES = 250 * 1024
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/door/assets/[^"]+)"')


def transfer(client, path: str, gzip: bool) -> int:
    response = client.get(path, headers={"Accept-Encoding": "gzip" if gzip else "identity"})
    assert response.status_code == 200, (path, response.status_code)
    return len(response.get_data())


def measure() -> dict[str, dict[str, int]]:
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(
            load_console_settings(
                {
                    "CONSOLE_SECRET_KEY": secrets.token_hex(32),
                    "DATA_DIR": data_dir,
                    "REGISTRATION_URL": "http://127.0.0.1:9",
                    "LOG_LEVEL": "ERROR",
                    "CONSOLE_HTTP_TIMEOUT": "0.5",
                }
            )
        )
        session_id, _session = app.extensions[EXTENSION].sessions.create(
            secrets.token_urlsafe(32), {"event_id": "bench", "label": "Pintu 1", "timezone": "Asia/Jakarta"}
        )
        client = app.test_client()
        client.set_cookie(COOKIE, session_id, path="/door")
        page = client.get("/door")
        html = page.get_data(as_text=True)
        assert page.status_code in (200, 503) and 'id="preview"' in html, page.status_code
        sizes = {"page (HTML)": {"gzip": len(page.get_data()), "identity": len(page.get_data())}}
        for path in ASSET.findall(html):
            sizes[path] = {"gzip": transfer(client, path, True), "identity": transfer(client, path, False)}
        return sizes


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    sizes = measure()
    width = max(map(len, sizes))
    print(f"{'what':<{width}}  {'gzip':>9}  {'identity':>9}")
    for what, size in sizes.items():
        print(f"{what:<{width}}  {size['gzip']:>9,}  {size['identity']:>9,}")
    packed = sum(s["gzip"] for s in sizes.values())
    plain = sum(s["identity"] for s in sizes.values())
    print(f"{'total':<{width}}  {packed:>9,}  {plain:>9,}")
    print(
        f"served: {packed / 1024:.1f} KB = {packed / plain:.2f} of the uncompressed baseline ({plain / 1024:.1f} KB); "
        f"{packed / TARGET_BYTES:.2f} of the 250 KB target -> {'met' if packed <= TARGET_BYTES else 'NOT met'}"
    )
    return 0 if packed <= TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
