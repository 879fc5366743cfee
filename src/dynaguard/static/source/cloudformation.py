"""Plain CloudFormation templates: Lambda functions behind API Gateway routes declared as raw
resources, with no SAM transform.

An HTTP API (``AWS::ApiGatewayV2::Route``: ``RouteKey: "PUT /items/{id}"``, ``Target:
integrations/<Integration>``, whose ``IntegrationUri`` names the function) or a REST API
(``AWS::ApiGateway::Method`` on an ``AWS::ApiGateway::Resource`` tree, its ``Integration.Uri``
naming the function). A route with ``AuthorizationType`` other than ``NONE``, or a required API
key, is authenticated. The function's ``Handler`` (``handlers.main.handler``) is relative to a
code bundle the template does not locate (an S3 zip), so its file is matched by the end of its
path (``Handler.anywhere``). Intrinsic functions are read only as text: a logical id named in
them (``${Fn.Arn}``, ``!GetAtt Fn.Arn``, ``!Ref Integration``) links two resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from dynaguard.static.source.descriptors import Handler, Route, authorizer, located, route

LAMBDA = "AWS::Lambda::Function"
MARKERS = ("AWS::ApiGatewayV2::Route", "AWS::ApiGateway::Method")
"""Text a template declaring API Gateway routes holds (checked before it is parsed)."""
_NAME = re.compile(r"[A-Za-z0-9]+")


def handlers(document: Mapping[str, Any]) -> list[Handler]:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return []
    typed = {name: r for name, r in resources.items() if isinstance(r, dict)}
    functions = {
        name: handler
        for name, r in typed.items()
        if r.get("Type") == LAMBDA
        and isinstance(handler := _props(r).get("Handler"), str)
        and str(_props(r).get("Runtime", "python")).startswith("python")
    }
    if not functions:
        return []
    routes: dict[str, list[Route]] = {name: [] for name in functions}
    integrations = {
        name: _named(_props(r).get("IntegrationUri"), functions)
        for name, r in typed.items()
        if r.get("Type") == "AWS::ApiGatewayV2::Integration"
    }
    for r in typed.values():
        props = _props(r)
        if r.get("Type") == "AWS::ApiGatewayV2::Route":
            method, _, path = str(props.get("RouteKey", "")).partition(" ")
            found = route(method, path, _guarded(props)) if path else None
            for linked in _named(props.get("Target"), integrations):
                for function in integrations[linked]:
                    if found is not None:
                        routes[function].append(found)
        elif r.get("Type") == "AWS::ApiGateway::Method":
            spec = props.get("Integration")
            uri = spec.get("Uri") if isinstance(spec, dict) else None
            path = _resource_path(props.get("ResourceId"), typed)
            found = route(str(props.get("HttpMethod", "ANY")), path, _guarded(props))
            for function in _named(uri, functions):
                if found is not None:
                    routes[function].append(found)
    out = []
    for name, handler in sorted(functions.items()):
        place = located("", handler)
        if place is not None:
            out.append(Handler(*place, tuple(routes[name]), anywhere=True))
    return out


def _props(resource: Mapping[str, Any]) -> dict[str, Any]:
    props = resource.get("Properties")
    return props if isinstance(props, dict) else {}


def _guarded(props: Mapping[str, Any]) -> bool:
    return authorizer(props.get("AuthorizationType")) or props.get("ApiKeyRequired") is True


def _named(value: object, names: Mapping[str, object]) -> list[str]:
    """The logical ids among ``names`` that the value's text mentions (``${Fn.Arn}``,
    ``{"Fn::GetAtt": ["Fn", "Arn"]}``, ``integrations/${Integration}``)."""
    if value is None:
        return []
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    words = set(_NAME.findall(text))
    return sorted(n for n in names if n in words)


def _resource_path(resource: object, typed: Mapping[str, Mapping[str, Any]]) -> str:
    """``/items/{id}`` from the chain of ``AWS::ApiGateway::Resource`` path parts."""
    parts: list[str] = []
    seen: set[str] = set()
    current = resource
    while True:
        names = _named(current, typed)
        name = next((n for n in names if typed[n].get("Type") == "AWS::ApiGateway::Resource"), None)
        if name is None or name in seen:
            break
        seen.add(name)
        props = _props(typed[name])
        parts.append(str(props.get("PathPart", "")))
        current = props.get("ParentId")
    return "/" + "/".join(reversed(parts))
