"""The skeleton every service's create_app() starts from: config, OpenAPI, errors, health, metrics, correlation ids."""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Callable

from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from shared import db
from shared.correlation import new_correlation_id, reset_correlation_id, set_correlation_id
from shared.settings import Settings, mask_url_passwords
from shared.web.errors import register_error_handlers

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter("rakor_http_requests_total", "HTTP requests answered", ["service", "method", "endpoint", "status"])
HTTP_LATENCY = Histogram(
    "rakor_http_request_seconds", "HTTP request latency", ["service", "endpoint"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
)
BROKER_UP = Gauge("rakor_broker_up", "1 when this API's last broker check succeeded", ["service"], multiprocess_mode="max")


class _CachedCheck:
    """An expensive check (opening a broker connection) run in the background at most once per `ttl` seconds.

    The caller gets the last known result at once: a health probe never waits on the broker's
    timeouts. Until the first run has finished the state is "unknown".
    """

    UNKNOWN = "unknown"

    def __init__(self, check: Callable[[], None], ttl: float = 5.0):
        self.check, self.ttl = check, ttl
        self._lock = threading.Lock()
        self._at = float("-inf")
        self._running = False
        self._error: str | None = self.UNKNOWN

    def __call__(self) -> str | None:
        """None when the last check passed, else what failed (or "unknown" before the first result)."""
        with self._lock:
            if not self._running and time.monotonic() - self._at > self.ttl:
                self._running = True
                threading.Thread(target=self._refresh, name="broker-check", daemon=True).start()
            return self._error

    def _refresh(self) -> None:
        try:
            self.check()
            error = None
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            error = mask_url_passwords(f"{type(exc).__name__}: {exc}")[:200]
        with self._lock:
            self._error, self._at, self._running = error, time.monotonic(), False


def create_base_app(
    service: str,
    settings: Settings,
    engine: Engine,
    *,
    title: str,
    description: str,
    broker_check: Callable[[], None] | None = None,
) -> tuple[Flask, Api]:
    """A Flask app with the parts every service shares; the caller registers its own blueprints on `api`."""
    app = Flask(f"rakor.{service}")
    app.config.update(
        RAKOR_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    if settings.trusted_proxies:
        # Behind N proxies that each append to X-Forwarded-For, the client is the Nth address from the
        # right; anything further left was written by the client and proves nothing.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies)
    api = Api(app)
    register_error_handlers(app)
    _register_correlation(app, service)
    _register_probes(app, service, engine, broker_check)
    return app, api


def _register_correlation(app: Flask, service: str) -> None:
    # The metric children of each (method, route, status), looked up once: labels() validates and
    # locks on every call, a noticeable share of a request as small as GET /j/{token}. Routes are
    # rules, not paths, so the set stays as small as the API.
    children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    @app.before_request
    def _start():
        headers = request.headers
        incoming = headers.get("X-Correlation-ID") or headers.get("X-Request-ID")
        g.correlation_id = incoming[:100] if incoming else new_correlation_id()
        g.correlation_token = set_correlation_id(g.correlation_id)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response):
        response.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        rule = request.url_rule
        key = (request.method, rule.rule if rule else "unmatched", response.status_code)
        pair = children.get(key)
        if pair is None:
            method, endpoint, status = key
            pair = children[key] = (HTTP_REQUESTS.labels(service, method, endpoint, str(status)), HTTP_LATENCY.labels(service, endpoint))
        pair[0].inc()
        started = g.get("started")
        if started is not None:
            pair[1].observe(time.perf_counter() - started)
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("correlation_token", None)
        if token is not None:
            reset_correlation_id(token)


def _metrics_registry() -> CollectorRegistry | None:
    # Under gunicorn each worker has its own counters; with PROMETHEUS_MULTIPROC_DIR set they are
    # written to files there and summed here, so /metrics shows the whole service.
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def _register_probes(app: Flask, service: str, engine: Engine, broker_check: Callable[[], None] | None) -> None:
    broker = _CachedCheck(broker_check) if broker_check else None
    if broker is not None:
        broker()  # the first check starts with the app, so /healthz knows the broker's state early

    @app.get("/healthz")
    def healthz():
        # The broker is reported, not required: an API keeps taking requests (into its outbox) while
        # RabbitMQ is away, so a broker outage must not take it out of a load balancer.
        body: dict[str, Any] = {"status": "ok", "service": service}
        if broker is not None:
            error = broker()
            if error == _CachedCheck.UNKNOWN:
                body["details"] = {"broker": "unknown"}
            else:
                BROKER_UP.labels(service).set(0 if error else 1)
                body["details"] = {"broker": "ok" if error is None else f"down: {error}"}
        return jsonify(body)

    @app.get("/readyz")
    def readyz():
        # The database only: without it no request can be answered; without the broker every one can.
        checks: dict[str, str] = {}
        try:
            db.ping(engine)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"down: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        response = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
        response.status_code = 200 if ready else 503
        return response

    @app.get("/metrics")
    def metrics():
        registry = _metrics_registry()
        data = generate_latest(registry) if registry is not None else generate_latest()
        return Response(data, mimetype=CONTENT_TYPE_LATEST)
