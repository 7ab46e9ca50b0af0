"""The organizer's meetings: the list with seats at a glance, create, the meeting page, edit with a confirm step."""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from services.console.clients import Conflict, InvalidInput, ServiceError
from services.console.domain import attendance as attendance_rules
from services.console.domain import charts, meeting_form
from services.console.domain.registrations import Filters, active_participants, filter_registrations, paginate
from services.console.i18n import translate
from services.console.security import services, signed_in

blp = Blueprint("meetings", __name__, url_prefix="/meetings")


def seats_svg(meeting: dict) -> str:
    """The meeting's seats bar with its accessible label (used by every page that shows a meeting)."""
    seats = meeting.get("seats") or {}
    numbers = {
        "taken": seats.get("taken", 0),
        "capacity": seats.get("capacity", meeting.get("in_person_capacity", 0)),
        "waitlisted": seats.get("waitlisted", 0),
    }
    return charts.seats_bar(
        numbers["taken"], numbers["capacity"], numbers["waitlisted"], translate("seats.text", g.locale, **numbers), uid=meeting["id"]
    )


def _translated(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {field: [translate(key, g.locale) for key in keys] for field, keys in errors.items()}


def _labels() -> dict[str, str]:
    keys = {
        "title": "form.title",
        "theme": "form.theme",
        "starts_at": "form.starts_at",
        "ends_at": "form.ends_at",
        "timezone": "form.timezone",
        "venue.name": "form.venue_name",
        "venue.address": "form.venue_address",
        "venue.city": "form.venue_city",
        "in_person_capacity": "form.capacity",
        "agency_in_person_quota": "form.quota",
        "online": "form.online",
        "health_protocol": "form.health_protocol",
        "registration_closes_at": "form.closes_at",
        "min_online_minutes": "form.min_online",
    }
    return {field: translate(key, g.locale) for field, key in keys.items()}


def _form(template: str, values: dict, errors: dict, status: int = 200, **context):
    return render_template(template, values=values, errors=errors, labels=_labels(), zones=meeting_form.ZONES, **context), status


@blp.get("")
@signed_in
def index():
    meetings = sorted(services().registration.meetings(), key=lambda m: m["starts_at"], reverse=True)
    return render_template("meetings/index.html", meetings=meetings, seats_svg=seats_svg)


@blp.get("/new")
@signed_in
def new():
    return _form("meetings/form.html", {"timezone": "Asia/Jakarta", "online": "1"}, {}, meeting=None)


@blp.post("/new")
@signed_in
def create():
    body, errors = meeting_form.meeting_body(request.form)
    if errors:
        return _form("meetings/form.html", request.form, _translated(errors), 422, meeting=None)
    try:
        meeting = services().registration.create_meeting(body)
    except InvalidInput as refused:
        return _form("meetings/form.html", request.form, meeting_form.flatten_errors(refused.errors), 422, meeting=None)
    return redirect(url_for("meetings.show", event_id=meeting["id"], notice="meeting.created"))


@blp.get("/<event_id>")
@signed_in
def show(event_id: str):
    client = services().registration
    meeting = client.meeting(event_id)
    stats = client.stats(event_id)
    agencies = {a["id"]: a["name"] for a in client.agencies()}
    registrations = client.registrations(event_id)
    filters = Filters(
        request.args.get("agency", ""), request.args.get("status", ""), request.args.get("mode", ""), request.args.get("q", "")
    )
    page = paginate(filter_registrations(registrations, filters), request.args.get("page", 1, type=int) or 1)
    series = {key: translate(f"col.{key}", g.locale) for key in charts.SERIES}
    chart = (
        charts.agency_bars(stats.get("agencies", []), series, translate("meeting.agencies_chart", g.locale))
        if stats.get("agencies")
        else ""
    )
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        stats=stats,
        agencies=agencies,
        page=page,
        filters=filters,
        seats_svg=seats_svg,
        chart=chart,
        tab="overview",
    )


@blp.get("/<event_id>/edit")
@signed_in
def edit(event_id: str):
    meeting = services().registration.meeting(event_id)
    return _form("meetings/form.html", meeting_form.form_values(meeting), {}, meeting=meeting)


@blp.post("/<event_id>/edit")
@signed_in
def update(event_id: str):
    client = services().registration
    meeting = client.meeting(event_id)
    body, errors = meeting_form.meeting_body(request.form)
    if errors:
        return _form("meetings/form.html", request.form, _translated(errors), 422, meeting=meeting)
    patch = meeting_form.changes(meeting, body)
    if not patch:
        return redirect(url_for("meetings.show", event_id=event_id))
    if meeting_form.notifies_participants(patch) and request.form.get("confirmed") != "1":
        # Say what will happen before it happens: the number of people this change will reach.
        count = active_participants(client.registrations(event_id))
        return render_template(
            "meetings/confirm.html",
            meeting=meeting,
            patch=patch,
            count=count,
            values=request.form,
            labels=_labels(),
            fields=meeting_form.FIELDS,
        )
    try:
        client.update_meeting(event_id, patch)
    except InvalidInput as refused:
        return _form("meetings/form.html", request.form, meeting_form.flatten_errors(refused.errors), 422, meeting=meeting)
    return redirect(url_for("meetings.show", event_id=event_id, notice="meeting.saved"))


def _cancel_page(meeting: dict, status: int = 200, **context):
    count = active_participants(services().registration.registrations(meeting["id"]))
    context.setdefault("errors", {})
    return render_template("meetings/cancel.html", meeting=meeting, count=count, **context), status


@blp.get("/<event_id>/cancel")
@signed_in
def confirm_cancel(event_id: str):
    # Say what will happen before it happens: how many people the cancellation reaches.
    return _cancel_page(services().registration.meeting(event_id))


@blp.post("/<event_id>/cancel")
@signed_in
def cancel(event_id: str):
    client = services().registration
    meeting = client.meeting(event_id)
    reason = request.form.get("reason", "").strip()
    if not reason:
        return _cancel_page(meeting, 422, errors={"reason": [translate("form.required", g.locale)]})
    try:
        client.cancel_meeting(event_id, reason)
    except InvalidInput as refused:
        return _cancel_page(meeting, 422, errors=meeting_form.flatten_errors(refused.errors), reason=reason)
    except Conflict:
        return _cancel_page(meeting, 409, problem="meeting.already_cancelled")
    except ServiceError as refused:
        if refused.status not in (404, 405):
            raise
        return _cancel_page(meeting, 501, problem="meeting.cancel_unavailable")
    return redirect(url_for("meetings.show", event_id=event_id, notice="meeting.cancelled"))


@blp.get("/<event_id>/attendance")
@signed_in
def attendance(event_id: str):
    client = services().registration
    meeting = client.meeting(event_id)
    report = client.attendance(event_id)
    agency_id = request.args.get("agency", "")
    rows = attendance_rules.listed(report.get("participants", []), agency_id)
    page = paginate(rows, request.args.get("page", 1, type=int) or 1)
    rule_key, rule_numbers = attendance_rules.judgement(report.get("online_report", False), report.get("min_online_minutes"))
    agency_names = {a["agency_id"]: a["agency_name"] for a in report.get("agencies", [])}
    return render_template(
        "meetings/attendance.html",
        meeting=meeting,
        report=report,
        totals=report.get("totals") or {},
        page=page,
        agency_id=agency_id,
        agency_name=agency_names.get(agency_id, ""),
        rule=translate(rule_key, g.locale, **rule_numbers),
        downloads=attendance_rules.DOWNLOADS,
        tab="attendance",
    )


@blp.get("/<event_id>/attendance.<any(csv, xlsx, pdf):fmt>")
@signed_in
def attendance_download(event_id: str, fmt: str):
    # Passed through as registration renders it; the file name is the console's, the same for every format.
    upstream = services().registration.attendance_document(event_id, fmt)
    return Response(
        upstream.content,
        mimetype=attendance_rules.DOWNLOADS[fmt],
        headers={"Content-Disposition": f'attachment; filename="daftar-hadir-{event_id}.{fmt}"'},
    )
