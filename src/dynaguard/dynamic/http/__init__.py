"""HTTP for the scanner: one origin, bounded, rate-limited, retried, recorded and redacted."""

from dynaguard.dynamic.http.client import Call, HttpClient, Request, Response
from dynaguard.dynamic.http.redact import Redactor

__all__ = ["Call", "HttpClient", "Redactor", "Request", "Response"]
