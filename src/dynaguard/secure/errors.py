"""HTTP errors raised by the hardening library, each rendered as one JSON shape.

Every error is a werkzeug ``HTTPException`` so it works in any Flask app, even without the
extension: ``get_response`` already answers ``{"error", "message", "details"}`` as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from botocore.exceptions import ClientError
    from werkzeug.wrappers.request import Request as WSGIRequest


class SecureError(HTTPException):
    """Base of every error the library raises on behalf of a client request."""

    code: int | None = 500
    error_code: ClassVar[str] = "error"
    """Stable machine-readable code, the ``error`` field of the JSON body."""
    default_message: ClassVar[str] = "the request could not be completed"

    def __init__(self, message: str | None = None, *, details: Mapping[str, Any] | None = None):
        super().__init__(description=message or self.default_message)
        self.details: dict[str, Any] = dict(details or {})
        """Structured context for the client (field names, failing item, expected version)."""

    @property
    def message(self) -> str:
        return self.description or self.default_message

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.error_code, "message": self.message, "details": self.details}

    def get_response(
        self,
        environ: WSGIEnvironment | WSGIRequest | None = None,
        scope: dict[str, Any] | None = None,
    ) -> Response:
        # NOTE: JSON instead of werkzeug's HTML page, so an API never answers HTML on error.
        body = json.dumps(self.to_dict(), default=_json_default)
        return Response(body, status=self.code or 500, mimetype="application/json")


class BadRequest(SecureError):
    """The request is malformed, has unknown or forbidden fields, or fails validation."""

    code = 400
    error_code = "bad_request"
    default_message = "the request is invalid"


class Unauthenticated(SecureError):
    """No authenticated identity is attached to the request."""

    code = 401
    error_code = "unauthenticated"
    default_message = "authentication is required"


class Forbidden(SecureError):
    """The identity is known but may not perform the operation."""

    code = 403
    error_code = "forbidden"
    default_message = "the operation is not allowed for this identity"


class NotFound(SecureError):
    """The item does not exist, or it is not the caller's (no existence oracle)."""

    code = 404
    error_code = "not_found"
    default_message = "the item does not exist"


class Conflict(SecureError):
    """A conditional write failed: already exists, stale version, or a cancelled transaction."""

    code = 409
    error_code = "conflict"
    default_message = "the item changed or already exists"


BUILTIN_ERRORS: tuple[type[SecureError], ...] = (
    SecureError,
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
)


class ConfigurationError(RuntimeError):
    """The application is set up wrongly (a bad config value, a missing optional library)."""


def client_error_code(exc: ClientError) -> str:
    """The DynamoDB error code of a botocore ``ClientError`` (e.g. ``ConditionalCheckFailedException``)."""
    error = exc.response.get("Error", {})
    return str(error.get("Code", ""))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal) and value.is_finite():
        # DynamoDB numbers come back as Decimal; integral ones read best as JSON integers.
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)
