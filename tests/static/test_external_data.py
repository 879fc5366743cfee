"""What another service or the file system answers is not request data (models/http_clients.py,
models/stdlib.py)."""

from __future__ import annotations

from dynaguard.static import analyse_source
from tests.static.conftest import PRELUDE

VIEW = """
import json
import os
import urllib.parse
import urllib.request

import requests

@app.post('/profiles')
def import_profile():
    name = request.form['name']
    profile = {fetch}
    table.put_item(
        Item={{'name': 'fixed', 'role': profile['role'], 'level': profile['level']}},
        ConditionExpression='attribute_not_exists(#n)',
        ExpressionAttributeNames={{'#n': 'name'}},
    )
    return ''
"""


def _rules(fetch: str) -> set[str]:
    return {f.rule.id for f in analyse_source(PRELUDE + VIEW.format(fetch=fetch))}


def test_a_profile_fetched_from_another_service_is_not_client_data() -> None:
    assert _rules("requests.get(f'https://api.example/{name}').json()") == set()
    assert (
        _rules("requests.Session().post('https://api.example', json={'n': name}).json()") == set()
    )


def test_the_size_the_file_system_reports_is_not_client_data() -> None:
    assert _rules("{'role': 'user', 'level': os.stat(name).st_size}") == set()
    assert "DG301" in _rules("{'role': 'user', 'level': int(request.form['level'])}")


def test_the_same_values_taken_from_the_request_are() -> None:
    assert {"DG103", "DG301"} <= _rules("request.get_json()")


def test_another_aws_service_answers_with_its_own_data() -> None:
    fetch = (
        "json.loads(boto3.client('lambda').invoke(FunctionName='f', "
        "Payload=json.dumps(request.get_json()))['Payload'].read())"
    )
    assert _rules(fetch) == set()
    # A service named at run time may be DynamoDB: its answers keep the arguments' labels.
    unknown = fetch.replace("boto3.client('lambda')", "boto3.client(name)")
    assert "DG103" in _rules(unknown)


def test_a_url_quoted_client_value_is_still_the_clients() -> None:
    # ``urllib.parse`` rewrites what it is given; ``urllib.request`` fetches from elsewhere.
    assert "DG103" in _rules("{'role': urllib.parse.unquote(request.form['role']), 'level': 1}")
    fetched = "json.loads(urllib.request.urlopen(request.form['url']).read())"
    assert _rules(fetched) == set()
