"""flask-smorest Blueprint whose argument parser answers malformed or hostile JSON with 422 like any other invalid input."""

from __future__ import annotations

import json

import flask_smorest
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from shared.web.json_body import BodyRefused, parse_json_body


class RakorParser(FlaskParser):
    """webargs answers an unparseable body with 400 (and a too-deep one with 500); the spec promises 422 with field messages."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        try:
            return parse_json_body(req.get_data(cache=True))
        except BodyRefused as exc:
            abort(422, message="The request body is not acceptable JSON.", errors={"json": {"_body": [str(exc)]}})
        except json.JSONDecodeError as exc:
            return self._handle_invalid_json_error(exc, req)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, message="The request body is not valid JSON.", errors={"json": {"_body": ["Invalid JSON body."]}})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = RakorParser()
