"""What every service's Flask app shares: errors as the spec writes them, health, metrics, auth, limits."""

from shared.web.app_base import create_base_app, create_service_app
from shared.web.auth import bearer_token, organizer_only, require_admin, requires, tokens_equal
from shared.web.blueprint import Blueprint
from shared.web.errors import abort_json
from shared.web.ratelimit import RateLimiter, rate_limiter

__all__ = [
    "Blueprint",
    "create_base_app",
    "create_service_app",
    "bearer_token",
    "organizer_only",
    "require_admin",
    "requires",
    "tokens_equal",
    "abort_json",
    "RateLimiter",
    "rate_limiter",
]
