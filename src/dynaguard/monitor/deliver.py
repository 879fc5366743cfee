"""Posting one signed alert. Retries and their backoff are Huey's (the ``alert`` task's
``retries`` and ``retry_backoff``): this module tries once and says whether it worked."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from dynaguard.monitor import alerts
from dynaguard.monitor.settings import SECRET_REFERENCE, Webhook


class DeliveryError(Exception):
    """The receiver did not take the alert (network error or a status other than 2xx)."""


def secret(reference: str) -> str:
    """The secret a ``${ENV}`` reference names, read where it is used (the worker)."""
    match = SECRET_REFERENCE.match(reference)
    value = os.environ.get(match.group(1), "") if match else ""
    if not value:
        raise DeliveryError(f"webhook secret {reference} is not set in this worker's environment")
    return value


def post(
    webhook: Webhook,
    dashboard: str,
    run: str,
    findings: Sequence[Mapping[str, Any]],
    context: Mapping[str, str],
) -> None:
    payload = alerts.body(
        webhook.format,
        project=context["project"],
        target=context["target"],
        run_id=run,
        findings=findings,
        dashboard=dashboard,
    )
    headers = alerts.headers(secret(webhook.secret), int(time.time()), payload, run)
    try:
        response = httpx.post(webhook.url, content=payload, headers=headers, timeout=10.0)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook {webhook.url}: {exc}") from exc
    if not response.is_success:
        raise DeliveryError(f"webhook {webhook.url}: HTTP {response.status_code}")
