"""Agencies: create one (its API key shown once), rotate its key, revoke every key."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.console.clients import InvalidInput, NotFound, ServiceError
from services.console.domain.meeting_form import flatten_errors
from services.console.i18n import translate
from services.console.security import services, signed_in

blp = Blueprint("agencies", __name__, url_prefix="/agencies")
KINDS = ("ministry", "agency", "province", "regency", "city", "other")


def _page(status: int = 200, *, errors=None, values=None, new_key=None, notice=None):
    agencies = sorted(services().registration.agencies(), key=lambda a: a["name"].casefold())
    labels = {
        "name": translate("agencies.name", g.locale),
        "kind": translate("agencies.kind", g.locale),
        "contact_email": translate("agencies.contact", g.locale),
    }
    return render_template(
        "agencies/index.html",
        agencies=agencies,
        kinds=KINDS,
        errors=errors or {},
        values=values or {},
        labels=labels,
        new_key=new_key,
        notice=notice,
    ), status


@blp.get("")
@signed_in
def index():
    return _page()


@blp.post("")
@signed_in
def create():
    body = {
        "name": request.form.get("name", "").strip(),
        "kind": request.form.get("kind", ""),
        "contact_email": request.form.get("contact_email", "").strip(),
    }
    try:
        agency = services().registration.create_agency(body)
    except InvalidInput as refused:
        return _page(422, errors=flatten_errors(refused.errors), values=body)
    # The key is in this answer only: no redirect, nothing kept; the page says to copy it now.
    return _page(201, new_key={"name": agency["name"], "api_key": agency["api_key"]})


def _agency(agency_id: str) -> dict:
    for agency in services().registration.agencies():
        if agency["id"] == agency_id:
            return agency
    raise NotFound("registration", 404)


@blp.post("/<agency_id>/rotate")
@signed_in
def rotate(agency_id: str):
    agency = _agency(agency_id)
    try:
        answer = services().registration.rotate_agency_key(agency_id)
    except ServiceError as refused:
        if refused.status in (404, 405):
            return _page(501, notice="agencies.keys_unavailable")
        raise
    return _page(201, new_key={"name": agency["name"], "api_key": answer["api_key"]})


@blp.get("/<agency_id>/revoke")
@signed_in
def confirm_revoke(agency_id: str):
    # Say what will happen before it happens: the agency's system stops working until it gets a new key.
    return render_template("agencies/revoke.html", agency=_agency(agency_id))


@blp.post("/<agency_id>/revoke")
@signed_in
def revoke(agency_id: str):
    agency = _agency(agency_id)
    try:
        services().registration.revoke_agency_keys(agency_id)
    except ServiceError as refused:
        if refused.status in (404, 405):
            return _page(501, notice="agencies.keys_unavailable")
        raise
    return redirect(url_for("agencies.index", revoked=agency["name"]))
