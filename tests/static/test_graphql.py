"""GraphQL resolvers (graphene, Strawberry, Ariadne) as entry points: operations, arguments,
``info.context`` as the caller, and no DG302 (a raising resolver is answered with HTTP 200)."""

from __future__ import annotations

from dynaguard.model import Endpoint
from tests.static.conftest import Project

_SCHEMA = """\
import boto3
import graphene
import strawberry
from ariadne import MutationType, QueryType

table = boto3.resource("dynamodb").Table("cards")
query = QueryType()
mutation = MutationType()


class CreateCard(graphene.Mutation):
    class Arguments:
        title = graphene.String()

    ok = graphene.Boolean()

    def mutate(root, info, **kwargs):
        table.put_item(Item=kwargs)
        return CreateCard(ok=True)


class Query(graphene.ObjectType):
    def resolve_card(root, info, card_id):
        return table.get_item(Key={"card_id": card_id})["Item"]


@strawberry.type
class Board:
    @strawberry.field
    def board_card(self, card_id: str) -> str:
        return table.get_item(Key={"card_id": card_id})["Item"]


@query.field("song")
def resolve_song(obj, info, song_id):
    return table.get_item(Key={"card_id": song_id})["Item"]


@mutation.field("deleteSong")
def resolve_delete(obj, info, song_id):
    table.delete_item(Key={"card_id": song_id}, ConditionExpression="attribute_exists(card_id)")
    return True
"""


def _found(project: Project, source: str) -> dict[tuple[str, str], Endpoint | None]:
    analysis = project({"schema.py": source})
    return {(f.location.function, f.rule.id): f.endpoint for f in analysis.findings if f.location}


def test_operations_of_each_library(project: Project) -> None:
    found = _found(project, _SCHEMA)
    assert found[("Query.resolve_card", "DG203")] == Endpoint("GRAPHQL", "card")
    assert found[("Board.board_card", "DG203")] == Endpoint("GRAPHQL", "boardCard")
    assert found[("resolve_song", "DG203")] == Endpoint("GRAPHQL", "song")
    assert found[("resolve_delete", "DG203")] == Endpoint("GRAPHQL", "deleteSong")
    # The declared input (**kwargs) is an allowlist of the schema's fields, not the raw body.
    assert ("CreateCard.mutate", "DG101") not in found
    # A resolver that raises is answered with ``errors`` and HTTP 200: never a 500.
    assert not any(rule == "DG302" for _, rule in found)


def test_info_context_is_the_caller(project: Project) -> None:
    source = (
        _SCHEMA
        + """

@query.field("myCard")
def resolve_my_card(obj, info, card_id):
    owner = info.context["user"]
    return table.get_item(Key={"owner": owner, "card_id": card_id})["Item"]
"""
    )
    found = _found(project, source)
    assert not any(name == "resolve_my_card" for name, _ in found)
    # One resolver reads the caller from the context: authentication sits in front of the
    # resolvers (a view decorator, a gateway), so dynaguard claims none is missing.
    assert not any(rule == "DG203" for _, rule in found)


def test_plain_classes_and_functions_are_not_resolvers(project: Project) -> None:
    found = _found(
        project,
        """
import boto3

table = boto3.resource("dynamodb").Table("cards")


class Mutation:
    def mutate(root, info, card_id):
        return table.get_item(Key={"card_id": card_id})["Item"]


def resolve_card(root, info, card_id):
    return table.get_item(Key={"card_id": card_id})["Item"]
""",
    )
    assert found == {}


def test_a_schema_served_by_a_lambda_behind_api_gateway_makes_no_dg203_claim(
    project: Project,
) -> None:
    source = (
        _SCHEMA
        + """

import json


def handler(event, context):
    body = json.loads(event["body"])
    return {"statusCode": 200, "body": json.dumps(schema.execute(body["query"]))}
"""
    )
    found = _found(project, source)
    assert ("resolve_song", "DG203") not in found  # the gateway's authorizer is not in the code


_ARIADNE_SET_FIELD = """\
import uuid

import boto3
from ariadne import MutationType

table = boto3.resource("dynamodb").Table("songs")
mutation = MutationType()


def create_song(obj, info, song):
    song["id"] = str(uuid.uuid4())
    table.put_item(Item=song)
    return song


def update_song(obj, info, song):
    names = [key for key in song if key != "id"]
    table.update_item(
        Key={"id": song["id"]},
        UpdateExpression="SET " + ", ".join(f"{n} = :{n}" for n in names),
        ExpressionAttributeValues={f":{n}": song[n] for n in names},
    )
    return song


mutation.set_field("createSong", create_song)
mutation.set_field("updateSong", update_song)
"""


def test_ariadne_set_field_declares_a_resolver_whose_input_keys_are_the_schemas(
    project: Project,
) -> None:
    found = _found(project, _ARIADNE_SET_FIELD)
    # The input object's id selects the item: a change of an existing song by the client's key.
    assert found[("update_song", "DG203")] == Endpoint("GRAPHQL", "updateSong")
    assert found[("update_song", "DG403")] == Endpoint("GRAPHQL", "updateSong")
    # Its keys are the SDL's input type's: not the raw body, not names the client chose.
    assert ("create_song", "DG101") not in found
    assert ("update_song", "DG701") not in found
    assert ("update_song", "DG102") not in found


_STRAWBERRY_BOUND = {
    "resolvers/cards.py": """\
import boto3
import strawberry

table = boto3.resource("dynamodb").Table("cards")


def get_card(info: strawberry.types.Info, card_id: str) -> str:
    return table.get_item(Key={"card_id": card_id})["Item"]


def remove_card(info: strawberry.types.Info, card_id: str) -> bool:
    table.delete_item(Key={"card_id": card_id})
    return True


def unused(info: strawberry.types.Info, card_id: str) -> bool:
    table.delete_item(Key={"card_id": card_id})
    return True
""",
    "schema.py": """\
import strawberry

from resolvers.cards import get_card, remove_card, table


@strawberry.type
class Query:
    get_card: str = strawberry.field(resolver=get_card)
    title: str = strawberry.field(description="not a resolver")


@strawberry.type
class Mutation:
    remove_card: bool = strawberry.mutation(resolver=remove_card, name="dropCard")


@strawberry.type
class Board:
    @strawberry.field(name="cardTitle")
    def title_of(self, card_id: str) -> str:
        return table.get_item(Key={"card_id": card_id})["Item"]["title"]


schema = strawberry.Schema(query=Query, mutation=Mutation)
""",
}


def test_strawberry_fields_bound_to_resolver_functions_are_operations(project: Project) -> None:
    analysis = project(_STRAWBERRY_BOUND)
    found = {(f.location.function, f.rule.id): f.endpoint for f in analysis.findings if f.location}
    # The attribute's name, camelCased, unless ``name=`` gives the operation's.
    assert found[("get_card", "DG203")] == Endpoint("GRAPHQL", "getCard")
    assert found[("remove_card", "DG403")] == Endpoint("GRAPHQL", "dropCard")
    assert found[("Board.title_of", "DG203")] == Endpoint("GRAPHQL", "cardTitle")
    # A function no type binds is no operation.
    assert not any(function == "unused" for function, _ in found)
