"""HTTP API of the registration service: one flask-smorest Blueprint per resource."""

from __future__ import annotations

from flask_smorest import Api

from services.registration.api.agencies import blp as agencies_blp
from services.registration.api.attendance import blp as attendance_blp
from services.registration.api.certificates import blp as certificates_blp
from services.registration.api.door import blp as door_blp
from services.registration.api.meetings import blp as meetings_blp
from services.registration.api.registrations import blp as registrations_blp


def register_blueprints(api: Api) -> None:
    for blueprint in (agencies_blp, meetings_blp, registrations_blp, attendance_blp, door_blp, certificates_blp):
        api.register_blueprint(blueprint)
