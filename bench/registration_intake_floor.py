"""The floor of registration intake: the least any implementation of POST …/registrations must do here.

Served beside the registration API by bench/registration_intake_wrk.sh, on the API's own migrated
database, with the same gunicorn settings. Per request it validates the body with the same
marshmallow schema as the ceiling, then in one transaction on the raw DB-API connection: takes the
meeting's seat lock (BEGIN IMMEDIATE behind a lock file on SQLite, SELECT … FOR UPDATE on
PostgreSQL), counts the taken seats, inserts the registration row and one outbox row, and commits
durably. No auth, no ORM, no event schema, no rate limit, no metrics, no idempotency, no quota: what
is left is the database work and the web stack, so its ratio to the ceiling bounds what the real
service can reach on this machine whatever its code looks like.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import uuid

from flask import Flask, jsonify, request
from marshmallow import ValidationError

from bench.registration_intake import participant_body_schema
from shared.db import make_engine
from shared.settings import load_settings


def create_floor_app() -> Flask:
    engine = make_engine(load_settings("registration").database_url, pool_size=2)  # the API's own database
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    lock_fd = os.open(f"{engine.url.database}.floor.lock", os.O_RDWR | os.O_CREAT, 0o600) if sqlite else None
    schema = participant_body_schema()
    app = Flask("floor")
    agency: list[str] = []

    def stamp(moment: dt.datetime):
        # The form the UtcDateTime column type stores: naive UTC text on SQLite, timestamptz on PostgreSQL.
        return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment

    @app.post("/v1/events/<event_id>/registrations")
    def register(event_id: str):
        try:
            data = schema.load(request.get_json())
        except ValidationError as exc:
            return jsonify({"errors": exc.messages}), 422
        now = dt.datetime.now(dt.UTC)
        registration_id = str(uuid.uuid4())
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            if not agency:
                cursor.execute("SELECT id FROM agencies")
                agency.append(cursor.fetchone()[0])
                connection.rollback()
            if lock_fd is not None:
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
            try:
                if sqlite:
                    cursor.execute("BEGIN IMMEDIATE")
                cursor.execute(
                    f"SELECT in_person_capacity FROM meetings WHERE id = {mark}" + ("" if sqlite else " FOR UPDATE"), (event_id,)
                )
                capacity = cursor.fetchone()[0]
                cursor.execute(
                    f"SELECT count(*) FROM registrations WHERE event_id = {mark} AND status = 'confirmed' AND attendance_mode = 'in_person'",
                    (event_id,),
                )
                taken = cursor.fetchone()[0]
                in_person = data["attendance_mode"] == "in_person"
                status = "waitlisted" if in_person and taken >= capacity else "confirmed"
                code = uuid.uuid4().hex[:10].upper() if in_person and status == "confirmed" else None
                cursor.execute(
                    "INSERT INTO registrations (id, event_id, agency_id, full_name, email, phone, nip, position, locale,"
                    " attendance_mode, status, check_in_code, online_join_count, created_at, updated_at)"
                    f" VALUES ({', '.join([mark] * 15)})",
                    (
                        registration_id,
                        event_id,
                        agency[0],
                        data["full_name"],
                        data["email"],
                        data.get("phone"),
                        data.get("nip"),
                        data.get("position"),
                        "id",
                        data["attendance_mode"],
                        status,
                        code,
                        0,
                        stamp(now),
                        stamp(now),
                    ),
                )
                body = json.dumps(
                    {
                        "id": str(uuid.uuid4()),
                        "type": f"registration.{status}",
                        "data": {"registration_id": registration_id, "participant": data},
                    }
                )
                cursor.execute(
                    f"INSERT INTO outbox (event_id, event_type, body, created_at) VALUES ({mark}, {mark}, {mark}, {mark})",
                    (str(uuid.uuid4()), f"registration.{status}", body, stamp(now)),
                )
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                if lock_fd is not None:
                    fcntl.flock(lock_fd, fcntl.LOCK_UN)
        finally:
            connection.close()
        return jsonify({"id": registration_id, "event_id": event_id, "status": status, "participant": data}), 201

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
