"""DG301, DG302, DG601, DG602 beyond their fixtures: personas, app handlers, flows, provenance."""

from __future__ import annotations

from dynaguard.catalogue import get_rule
from dynaguard.model import Confidence, Persona
from dynaguard.static import analyse_source
from dynaguard.static.flow.values import ELEM, IDENTITY, Kind, Step, Value, apply
from tests.static.conftest import PRELUDE

RULES = [get_rule(r) for r in ("DG301", "DG302", "DG601", "DG602")]


def _found(body: str) -> list[tuple[str, int, str, str]]:
    findings = analyse_source(PRELUDE + body, rules=RULES)
    offset = PRELUDE.count("\n")
    return [
        (
            f.rule.id,
            f.location.line - offset,
            f.effective_persona.value,
            f.effective_confidence.value,
        )
        for f in findings
        if f.location
    ]


def test_raw_strings_are_pedantic_and_numbers_regular() -> None:
    body = (
        "\n@app.post('/items')\ndef create():\n    body = request.get_json(silent=True) or {}\n"
        "    table.put_item(Item={'title': body.get('title'), 'price': body.get('price')})\n"
    )
    assert sorted(_found(body)) == [
        ("DG301", 5, Persona.PEDANTIC.value, Confidence.LOW.value),
        ("DG301", 5, Persona.REGULAR.value, Confidence.MEDIUM.value),
    ]


def test_app_error_handler_below_500_handles_the_crash_and_a_500_one_does_not() -> None:
    view = "\n@app.post('/a')\ndef a():\n    return {'n': request.get_json()['n']}\n"
    handled = (
        "\n@app.errorhandler(KeyError)\ndef missing(e):\n    return {'error': 'missing'}, 400\n"
    )
    unhandled = (
        "\n@app.errorhandler(KeyError)\ndef missing(e):\n    return {'error': 'oops'}, 500\n"
    )
    assert _found(view + handled) == []
    assert [f[0] for f in _found(view + unhandled)] == ["DG302"]


def test_a_500_handler_answering_4xx_handles_every_exception() -> None:
    # Flask sends every unhandled exception to the 500 handler; one that answers 400 turns
    # the crash into a client error, one that keeps 500 (also set on the response) does not.
    view = "\n@app.post('/a')\ndef a():\n    return {'n': int(request.get_json()['n'])}\n"
    answers_400 = "\n@app.errorhandler(500)\ndef broken(e):\n    return {'error': 'bad'}, 400\n"
    keeps_500 = (
        "\nfrom http import HTTPStatus\n\ndef broken(e):\n    response = make(e)\n"
        "    response.status_code = HTTPStatus.INTERNAL_SERVER_ERROR\n    return response\n"
        "\napp.register_error_handler(500, broken)\n"
    )
    assert _found(view + answers_400) == []
    assert {f[0] for f in _found(view + keeps_500)} == {"DG302"}


def test_decimal_is_not_guarded_by_value_error() -> None:
    body = (
        "\nfrom decimal import Decimal, InvalidOperation\n\n@app.post('/a')\ndef a():\n"
        "    raw = request.args.get('p', '0')\n    try:\n        return {{'p': str(Decimal(raw))}}\n"
        "    except {caught}:\n        return {{}}, 400\n"
    )
    assert [f[0] for f in _found(body.format(caught="ValueError"))] == ["DG302"]
    assert _found(body.format(caught="InvalidOperation")) == []


def test_stream_findings_explain_the_path_from_the_batch() -> None:
    source = PRELUDE + (
        "\ndef handler(event, context):\n    for record in event['Records']:\n"
        "        try:\n            bump(record['dynamodb'])\n        except Exception:\n"
        "            pass\n\n\ndef bump(change):\n"
        "    table.update_item(Key={'pk': change['Keys']}, UpdateExpression='ADD n :one')\n"
    )
    findings = {f.rule.id: f for f in analyse_source(source, rules=RULES)}
    assert set(findings) == {"DG601", "DG602"}
    assert [s.note for s in findings["DG601"].flow][:2] == [
        "each record of event['Records']",
        "bump(...)",
    ]
    assert findings["DG602"].flow[-1].location.line == findings["DG602"].location.line  # type: ignore[union-attr]


def test_concrete_provenances_stay_themselves_through_transforms() -> None:
    step = Step("a.py", 1, 0, "f", "g.user_id", "identity")
    identity = Value(labels={(IDENTITY, int(Kind.BODY)): (step,)})
    assert set(apply(identity, ELEM).labels) == {(IDENTITY, int(Kind.VALUE))}


def test_an_emptiness_test_is_no_validation_but_makes_a_usable_key() -> None:
    view = (
        "\n@app.post('/items')\ndef create():\n    price = request.form.get('price')\n"
        "    name = request.form.get('name')\n{guard}"
        "    table.get_item(Key={{'name': name}})\n"
        "    table.update_item(Key={{'name': 'fixed'}}, UpdateExpression='SET price = :p',\n"
        "        ExpressionAttributeValues={{':p': price}})\n"
    )
    guard = "    if price == '' or not name:\n        abort(400)\n"
    assert ("DG301", 9) in {(f[0], f[1]) for f in _found(view.format(guard=guard))}
    assert "DG302" not in {f[0] for f in _found(view.format(guard=guard))}
    assert "DG302" in {f[0] for f in _found(view.format(guard=""))}


def test_a_missing_value_in_a_typed_attribute_is_refused_by_botocore() -> None:
    view = (
        "\nclient = boto3.client('dynamodb')\n\n@app.post('/shops')\ndef create():\n"
        "    data = request.get_json(silent=True) or {{}}\n    phone = data.get('phone')\n{guard}"
        "    client.update_item(TableName='shops', Key={{'id': {{'S': 'fixed'}}}},\n"
        "        UpdateExpression='SET phone = :p', ExpressionAttributeValues={{':p': {{'S': phone}}}})\n"
    )
    assert "DG302" in {f[0] for f in _found(view.format(guard=""))}
    guard = "    if not isinstance(phone, str):\n        return {}, 400\n"
    assert "DG302" not in {f[0] for f in _found(view.format(guard=guard))}


def test_a_list_append_is_no_client_amount_and_an_arithmetic_set_is() -> None:
    # ``list_append`` adds an element (a free-text tag: pedantic); ``SET n = n + :d`` and
    # ``ADD n :d`` add the client's number to the stored one (regular, like a typed attribute).
    template = (
        "\n@app.post('/items/<iid>')\ndef change(iid):\n"
        "    body = request.get_json(silent=True) or {}\n"
        "    table.update_item(Key={'id': iid}, UpdateExpression='%s',\n"
        "                      ExpressionAttributeValues={':v': body.get('v')})\n"
    )
    personas = {
        expression: {f[2] for f in _found(template % expression) if f[0] == "DG301"}
        for expression in ("SET tags = list_append(tags, :v)", "SET n = n + :v", "ADD n :v")
    }
    assert personas == {
        "SET tags = list_append(tags, :v)": {Persona.PEDANTIC.value},
        "SET n = n + :v": {Persona.REGULAR.value},
        "ADD n :v": {Persona.REGULAR.value},
    }


def test_a_number_needs_a_range_check_not_only_a_type_check() -> None:
    view = (
        "\n@app.post('/r')\ndef rate():\n    body = request.get_json(silent=True) or {{}}\n"
        "    stars = body.get('stars')\n{check}"
        "    table.put_item(Item={{'id': 'r', 'stars': stars}})\n"
    )
    typed = "    if not isinstance(stars, int):\n        return {}, 400\n"
    ranged = "    if not isinstance(stars, int) or not 1 <= stars <= 5:\n        return {}, 400\n"
    assert [f[:3] for f in _found(view.format(check=typed))] == [
        ("DG301", 5, Persona.REGULAR.value)
    ]
    assert _found(view.format(check=ranged)) == []


def test_a_code_named_attribute_is_a_raw_string_not_a_typed_one() -> None:
    body = (
        "\n@app.post('/m')\ndef money():\n    body = request.get_json(silent=True) or {}\n"
        "    table.put_item(Item={'id': 'm', 'currency': body.get('currency')})\n"
    )
    assert [f[:3] for f in _found(body)] == [("DG301", 5, Persona.PEDANTIC.value)]


def test_a_number_under_client_chosen_names_is_still_range_checked() -> None:
    # The product name picks the map entry (DG102/DG702's question); the quantity in the entry
    # is an unchecked number all the same, reported where it is converted.
    body = (
        "\n@app.post('/cart')\ndef cart():\n    body = request.get_json(silent=True) or {}\n"
        "    quantity = int(body['quantity'])\n"
        "    table.update_item(Key={'id': 'c'}, UpdateExpression='SET #c.#p = :e',\n"
        "        ExpressionAttributeNames={'#c': 'cart', '#p': body['product']},\n"
        "        ExpressionAttributeValues={':e': {'quantity': quantity}})\n"
    )
    assert ("DG301", 5, Persona.REGULAR.value) in {f[:3] for f in _found(body)}


def test_a_handled_parse_error_validates_no_field_of_what_was_parsed() -> None:
    body = (
        "\nimport json\n\n@app.post('/items')\ndef create():\n"
        "    try:\n        data = json.loads(request.data)\n"
        "    except ValueError:\n        return {'error': 'not JSON'}, 400\n"
        "    table.put_item(Item={'price': data.get('price')})\n"
        "    return {'ok': True}\n"
    )
    # The text was JSON: its price is still whatever the client sent.
    assert ("DG301", 10, Persona.REGULAR.value, Confidence.MEDIUM.value) in _found(body)


def test_chained_reads_from_one_column_each_name_their_key() -> None:
    body = (
        "\n@app.post('/hooks')\ndef hook():\n    event = request.get_json()\n"
        "    table.put_item(Item={'id': str(event['data']['object'])})\n"
    )
    messages = [
        f.message
        for f in analyse_source(PRELUDE + body, rules=[get_rule("DG302")])
        if f.rule.id == "DG302"
    ]
    assert len(messages) == 1
    assert "['data'] raises KeyError" in messages[0]
    assert "['object'] raises KeyError" in messages[0]


def test_a_number_named_field_in_a_stored_list_is_checked_like_a_top_level_one() -> None:
    body = (
        "\n@app.post('/stores/<store_id>/stock')\ndef add_stock(store_id):\n"
        "    body = request.get_json(silent=True) or {}\n"
        "    store = table.get_item(Key={'id': store_id}).get('Item') or {}\n"
        "    lines = store.get('lines', [])\n"
        "    lines.append({'sku': 'a', 'quantity': body.get('quantity')})\n"
        "    table.update_item(Key={'id': store_id}, UpdateExpression='SET #l = :l',\n"
        "        ExpressionAttributeNames={'#l': 'lines'}, ExpressionAttributeValues={':l': lines})\n"
    )
    assert ("DG301", 8, Persona.REGULAR.value, Confidence.MEDIUM.value) in _found(body)
    checked = body.replace(
        "    lines.append(",
        "    if not isinstance(body.get('quantity'), int) or not 0 < body['quantity'] <= 99:\n"
        "        return {'error': 'quantity'}, 400\n    lines.append(",
    )
    assert [f for f in _found(checked) if f[0] == "DG301" and f[2] == Persona.REGULAR.value] == []


def test_a_field_set_on_a_loop_element_before_break_reaches_the_list_written() -> None:
    body = (
        "\n@app.put('/stores/<store_id>/items/<item_id>')\ndef set_stock(store_id, item_id):\n"
        "    body = request.get_json(silent=True) or {}\n"
        "    store = table.get_item(Key={'id': store_id}).get('Item') or {}\n"
        "    lines = store.get('lines', [])\n"
        "    for line in lines:\n"
        "        if line.get('sku') == item_id:\n"
        "            line['quantity'] = body.get('quantity')\n"
        "            break\n"
        "    table.update_item(Key={'id': store_id}, UpdateExpression='SET #l = :l',\n"
        "        ExpressionAttributeNames={'#l': 'lines'}, ExpressionAttributeValues={':l': lines})\n"
    )
    # The element is the list's: what the path that breaks out set is written with the list.
    assert ("DG301", 11, Persona.REGULAR.value, Confidence.MEDIUM.value) in _found(body)
    skipped = body.replace("            break\n", "            continue\n")
    assert ("DG301", 11, Persona.REGULAR.value, Confidence.MEDIUM.value) in _found(skipped)


def test_a_loop_variable_rebound_after_the_loop_is_no_element_of_its_list() -> None:
    body = (
        "\n@app.put('/stores/<store_id>')\ndef set_note(store_id):\n"
        "    body = request.get_json(silent=True) or {}\n"
        "    store = table.get_item(Key={'id': store_id}).get('Item') or {}\n"
        "    lines = store.get('lines', [])\n"
        "    for line in lines:\n"
        "        pass\n"
        "    line = {}\n"
        "    line['quantity'] = body.get('quantity')\n"
        "    table.update_item(Key={'id': store_id}, UpdateExpression='SET #l = :l',\n"
        "        ExpressionAttributeNames={'#l': 'lines'}, ExpressionAttributeValues={':l': lines})\n"
    )
    # ``line`` is a new dict by then: the list written holds nothing the client sent.
    assert [f for f in _found(body) if f[0] == "DG301"] == []


def test_a_state_beside_a_city_is_an_address_line_and_alone_a_status() -> None:
    # ``state`` names a status (regular) unless the item holds a postal address, where it is
    # free text like the city beside it (pedantic, as any raw string).
    template = (
        "\n@app.post('/m')\ndef move():\n    body = request.get_json(silent=True) or {{}}\n"
        "    table.put_item(Item={{'id': 'm', {extra}'state': body.get('state')}})\n"
    )
    alone = {f[2] for f in _found(template.format(extra=""))}
    postal = {f[2] for f in _found(template.format(extra="'city': body.get('city'), "))}
    assert alone == {Persona.REGULAR.value}
    assert postal == {Persona.PEDANTIC.value}


def test_a_completion_flag_is_typed_and_a_title_is_not() -> None:
    # ``done`` is a flag list logic branches on (regular); a free-text title stays pedantic.
    template = (
        "\n@app.post('/todos')\ndef create():\n    body = request.get_json(silent=True) or {{}}\n"
        "    table.put_item(Item={{'id': 't', '{name}': body.get('{name}')}})\n"
    )
    personas = {
        name: {f[2] for f in _found(template.format(name=name))} for name in ("done", "title")
    }
    assert personas == {"done": {Persona.REGULAR.value}, "title": {Persona.PEDANTIC.value}}


def test_a_helper_two_routes_share_is_reported_for_each_route() -> None:
    body = (
        "\ndef _save(body):\n"
        "    table.put_item(Item={'id': 'x', 'stars': int(body.get('stars', '0'))})\n"
        "\n@app.post('/a')\ndef a():\n    _save(request.get_json(silent=True) or {})\n"
        "\n@app.post('/b')\ndef b():\n    _save(request.get_json(silent=True) or {})\n"
    )
    findings = analyse_source(PRELUDE + body, rules=[get_rule("DG301")])
    routes = sorted(f.endpoint.path for f in findings if f.endpoint is not None)
    assert routes == ["/a", "/b"]


def test_a_field_read_with_no_default_and_formatted_is_a_regular_finding() -> None:
    # ``f"{body.get('nick')}"`` stores the text 'None' when the field is missing.
    template = (
        "\n@app.post('/items')\ndef create():\n    body = request.get_json(silent=True) or {}\n"
        "    table.put_item(Item={'id': 'x', 'nick': EXPR})\n"
    )
    for expr in ("f\"{body.get('nick')}\"", "str(body.get('nick'))"):
        found = _found(template.replace("EXPR", expr))
        assert found == [("DG301", 5, Persona.REGULAR.value, Confidence.MEDIUM.value)], expr
    with_default = _found(template.replace("EXPR", "f\"{body.get('nick', '')}\""))
    assert with_default == [("DG301", 5, Persona.PEDANTIC.value, Confidence.LOW.value)]


def test_bool_of_a_request_value_is_a_regular_finding() -> None:
    body = (
        "\n@app.post('/items')\ndef create():\n    body = request.get_json(silent=True) or {}\n"
        "    table.put_item(Item={'id': 'x', 'shown': bool(body.get('shown'))})\n"
    )
    assert _found(body) == [("DG301", 5, Persona.REGULAR.value, Confidence.MEDIUM.value)]
