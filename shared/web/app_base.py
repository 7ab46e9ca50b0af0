"""The skeleton every service's create_app() starts from: config, OpenAPI, errors, health, metrics, correlation ids."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, request, send_from_directory
from flask_smorest import Api
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from shared import db
from shared.correlation import new_correlation_id, reset_correlation_id, set_correlation_id
from shared.logs import configure_logging
from shared.settings import Settings, mask_url_passwords
from shared.web.errors import register_error_handlers
from shared.web.json_body import RakorJSONProvider
from shared.web.state import SETTINGS

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter("rakor_http_requests_total", "HTTP requests answered", ["service", "method", "endpoint", "status"])
HTTP_LATENCY = Histogram(
    "rakor_http_request_seconds",
    "HTTP request latency",
    ["service", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
BROKER_UP = Gauge("rakor_broker_up", "1 when this API's last broker check succeeded", ["service"], multiprocess_mode="max")


SWAGGER_UI_DIR = Path(__file__).resolve().parent / "static" / "swagger-ui"
SWAGGER_UI_URL = "/docs/assets/"

# Any token is a valid HTTP method to werkzeug; labelling with it would let a client create series at will.
METRIC_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def metric_labels(method: str, rule: str | None) -> tuple[str, str]:
    """(method, endpoint) labels from a fixed, small set: unknown methods are "other", unknown paths "unmatched"."""
    return (method if method in METRIC_METHODS else "other"), (rule or "unmatched")


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
        self._first_done = threading.Event()

    def __call__(self) -> str | None:
        """None when the last check passed, else what failed (or "unknown" before the first result)."""
        with self._lock:
            start = not self._running and time.monotonic() - self._at > self.ttl
            if start:
                self._running = True
            error = self._error
        if start:
            # Started outside the lock: Thread.start() waits for the new thread, and the first call
            # comes from the app factory in a gunicorn worker's main thread, where a stop signal may
            # interrupt any wait. Only the flag is decided under the lock.
            try:
                threading.Thread(target=self._refresh, name="broker-check", daemon=True).start()
            except BaseException:
                with self._lock:
                    self._running = False
                raise
        return error

    def _refresh(self) -> None:
        try:
            self.check()
            error = None
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            error = mask_url_passwords(f"{type(exc).__name__}: {exc}")[:200]
        with self._lock:
            self._error, self._at, self._running = error, time.monotonic(), False
        self._first_done.set()

    def settled(self, timeout: float) -> str | None:
        """Like a call, but waits up to `timeout` for the first result instead of answering "unknown"."""
        error = self()
        if error == self.UNKNOWN and self._first_done.wait(timeout):
            error = self()
        return error


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
    app.json = RakorJSONProvider(app)
    app.config.update(
        **{SETTINGS: settings},
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Served by the service itself (shared/web/static/swagger-ui): the docs work without internet
        # and no third party learns who reads them.
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,
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
    register_correlation(app, service)
    register_probes(app, service, engine, {}, broker_check=broker_check)
    _register_docs_assets(app)
    return app, api


def create_service_app(
    service: str, settings: Settings, migrations: Path, *, title: str, description: str, log_name: str | None = None
) -> tuple[Flask, Api, Engine]:
    """What every service's create_app does first: logging, the engine, migrations at start, the base app with its broker check."""
    configure_logging(log_name or service, settings.log_level, settings.log_format)
    engine = db.make_service_engine(settings)
    db.migrate_at_start(engine, migrations, settings)

    def broker_check() -> None:
        from shared.messaging.connection import broker_ping

        broker_ping(settings.rabbitmq_url)

    app, api = create_base_app(service, settings, engine, title=title, description=description, broker_check=broker_check)
    return app, api, engine


def _register_docs_assets(app: Flask) -> None:
    @app.get(SWAGGER_UI_URL + "<path:filename>")
    def docs_assets(filename: str):
        return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400)


def register_correlation(app: Flask, service: str) -> None:
    """Correlation ids in and out, and the request counters and latency of /metrics."""
    # The metric children of each (method, route, status), looked up once: labels() validates and
    # locks on every call, a noticeable share of a request as small as GET /j/{token}. Routes are
    # rules, not paths, and methods come from a fixed set, so the set stays as small as the API.
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
        key = (*metric_labels(request.method, rule.rule if rule else None), response.status_code)
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


def register_probes(
    app: Flask,
    service: str,
    engine: Engine | None,
    checks: dict[str, Callable[[], None]],
    broker_check: Callable[[], None] | None = None,
) -> None:
    """/healthz (with the broker's state as a detail), /metrics, and /readyz from the database (when the
    service has one) and the other named checks; the broker is never a readiness condition."""
    cached = {name: _CachedCheck(check) for name, check in checks.items()}
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
        # The database (and the named checks) only: without the database no request can be answered;
        # without the broker every one can.
        results: dict[str, str] = {}
        if engine is not None:
            try:
                db.ping(engine)
                results["database"] = "ok"
            except Exception as exc:  # noqa: BLE001
                results["database"] = f"down: {type(exc).__name__}"
        for name, check in cached.items():
            # Readiness is asked for seldom and must not say "not ready" only because nobody asked before.
            error = check.settled(timeout=3.0)
            results[name] = "ok" if error is None else f"down: {error}"
        ready = all(value == "ok" for value in results.values())
        response = jsonify({"status": "ready" if ready else "not ready", "checks": results})
        response.status_code = 200 if ready else 503
        return response

    @app.get("/metrics")
    def metrics():
        registry = _metrics_registry()
        data = generate_latest(registry) if registry is not None else generate_latest()
        return Response(data, mimetype=CONTENT_TYPE_LATEST)
