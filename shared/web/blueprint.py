"""flask-smorest Blueprint whose argument parser answers malformed JSON with 422 like any other invalid input."""
from __future__ import annotations

import flask_smorest
from flask_smorest import abort
from webargs.flaskparser import FlaskParser


class RakorParser(FlaskParser):
    """webargs answers an unparseable body with 400; the spec promises 422 with field messages for bad input."""

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, message="The request body is not valid JSON.", errors={"json": {"_body": ["Invalid JSON body."]}})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = RakorParser()
