"""Certificates: the organizer issues and revokes them; agencies list their own; anyone may check one (/c/{id})."""

from __future__ import annotations

from pathlib import Path

from flask import Response, g
from flask.views import MethodView
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.registration import operations
from services.registration.api.auth import requires
from services.registration.api.context import sessions
from services.registration.api.docs import errors
from services.registration.schemas import CertificateSchema, CertificatesIssuedSchema
from shared.web import Blueprint
from shared.web.state import service_settings

blp = Blueprint("certificates", __name__, description="Certificates of attendance and their public verification.")
_pages = Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"]))


@blp.route("/v1/events/<event_id>/certificates")
class Certificates(MethodView):
    @requires("admin")
    @blp.response(202, CertificatesIssuedSchema)
    @errors(blp, 403, 404, 409)
    def post(self, event_id):
        """Issue a certificate to every participant who attended and has none yet (only after the meeting ends, else 409)."""
        settings = service_settings()
        return operations.issue_certificates(sessions(), event_id, settings.certificate_number_suffix, settings.registration_public_url)

    @requires("any")
    @blp.response(200, CertificateSchema(many=True))
    @errors(blp, 404)
    def get(self, event_id):
        """The meeting's certificates in number order (an agency sees its own people's)."""
        return operations.list_certificates(sessions(), g.caller, event_id, service_settings().registration_public_url)


@blp.route("/v1/certificates/<certificate_id>")
class CertificateItem(MethodView):
    @requires("admin")
    @blp.response(204)
    @errors(blp, 403, 404)
    def delete(self, certificate_id):
        """Revoke a certificate: its verification page says so from now on; its number is not reused."""
        operations.revoke_certificate(sessions(), certificate_id)


@blp.route("/c/<certificate_id>")
@blp.doc(
    security=[],
    responses={
        "200": {"description": "Number, name, meeting, date and valid or revoked; nothing more", "content": {"text/html": {}}},
        "404": {"description": "Unknown certificate", "content": {"text/html": {}}},
    },
)
def check_certificate(certificate_id: str):
    """The public verification page a certificate's QR code points to."""
    certificate = operations.verify_certificate(sessions(), certificate_id)
    html = _pages.get_template("certificate_check.html").render(certificate=certificate)
    return Response(
        html, status=200 if certificate else 404, mimetype="text/html", headers={"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
    )
