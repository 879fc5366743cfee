"""The models dynaguard ships, in the order they are asked (``flow/knowledge.py``).

Order matters only where two models can answer the same question: observers come before the
models whose answers would end the question (authorization notes every external call before the
identity model claims ``current_identity()``; it sees each decorator after routes and before
webargs), and the serialisers' catch-all comes last. Adding a library: write its module (a
``Model`` subclass and ``MODEL``), add it here, and give it fixtures. The user's declarations
(``[tool.dynaguard.models]``) come first of all (``with_declared``): what a user says of their own
code wins over what dynaguard would guess.
"""

from __future__ import annotations

from dynaguard.static.flow.frame import Model
from dynaguard.static.models import (
    authz,
    aws_lambda,
    boto3,
    chalice,
    declared,
    flask,
    flask_dynamo,
    graphql,
    http_clients,
    identity,
    marshmallow,
    powertools,
    pydantic,
    pynamodb,
    secure,
    sessions,
    stdlib,
    threads,
    webargs,
)
from dynaguard.static.models.declarations import Declarations

MODELS: tuple[Model, ...] = (
    boto3.MODEL,
    pynamodb.MODEL,
    pydantic.MODEL,
    marshmallow.MODEL,
    stdlib.MODEL,
    chalice.MODEL,  # before Flask, which takes any ``x.route('/...')`` for its own
    powertools.MODEL,  # likewise
    flask.MODEL,
    flask_dynamo.MODEL,
    aws_lambda.MODEL,
    graphql.MODEL,
    authz.MODEL,
    webargs.MODEL,
    identity.MODEL,
    sessions.MODEL,  # after identity, which stands in for a token verifier's body
    secure.MODEL,
    http_clients.MODEL,
    threads.MODEL,
    stdlib.SERIALISERS,
)


def with_declared(
    declarations: Declarations, shipped: tuple[Model, ...] = MODELS
) -> tuple[Model, ...]:
    """The models to analyse with: the user's declarations, when there are any, then ``shipped``."""
    if not declarations:
        return shipped
    return (declared.Declared(declarations), *shipped)
