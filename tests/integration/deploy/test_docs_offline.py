"""The /docs page of every service loads its Swagger UI from the service itself: no CDN, works offline."""

from __future__ import annotations

import re

import pytest

from services.notification.app import create_app as notification_app
from services.registration.app import create_app as registration_app
from services.streaming.app import create_app as streaming_app
from shared.settings import load_settings

APPS = {"registration": registration_app, "notification": notification_app, "streaming": streaming_app}


@pytest.mark.parametrize("service", sorted(APPS))
def test_docs_page_loads_every_asset_from_the_service(service, sqlite_url_factory, tmp_path):
    settings = load_settings(
        service,
        environ={
            "RAKOR_ENV": "dev",
            "RAKOR_ADMIN_TOKEN": "organizer-token-ditjen-ikp-2021",
            "DATABASE_URL": sqlite_url_factory(),
            "DATA_DIR": str(tmp_path),
        },
    )
    app = APPS[service](settings)
    try:
        client = app.test_client()
        page = client.get("/docs")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html), "an asset is loaded from another host"
        assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        assert {a.rsplit("/", 1)[-1] for a in assets} == {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
        for asset in assets:
            response = client.get(asset)
            assert response.status_code == 200 and len(response.get_data()) > 1000, asset
            assert response.mimetype in ("text/css", "text/javascript", "application/javascript"), asset
            response.close()
        assert client.get("/docs/assets/../app_base.py").status_code == 404
    finally:
        engine = app.extensions.get("rakor_engine")
        if engine is not None:
            engine.dispose()
