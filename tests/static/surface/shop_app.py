import boto3
from flask import Blueprint, Flask, request
from flask_jwt_extended import get_jwt_identity, jwt_required
from marshmallow import Schema, fields
from pydantic import BaseModel

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("items")
bp = Blueprint("shop", __name__, url_prefix="/shop")


class OrderIn(BaseModel):
    quantity: int
    note: str | None = None
    price: float


class ReviewSchema(Schema):
    stars = fields.Int(required=True)
    text = fields.Str()


@app.post("/login")
def login():
    body = request.get_json()
    return {"token": body["username"] + body["password"]}


@bp.route("/items/<int:item_id>", methods=["GET", "PUT"])
@jwt_required()
def item(item_id):
    if request.method == "PUT":
        body = request.get_json()
        table.put_item(
            Item={
                "id": item_id,
                "name": body["name"],
                "count": int(body["count"]),
                "owner": get_jwt_identity(),
                "size": body.get("dims", {}).get("w"),
            }
        )
    return table.get_item(Key={"id": item_id})["Item"]


@bp.get("/files/<uuid:file_id>/<path:rest>")
def files(file_id, rest):
    limit = int(request.args.get("limit", "10"))
    return table.query(KeyConditionExpression=str(file_id), Limit=limit)


@bp.post("/orders")
@jwt_required()
def order():
    data = OrderIn(**request.get_json())
    table.put_item(Item=data.model_dump())
    return {}


@bp.post("/reviews/<float:score>")
@jwt_required()
def review(score):
    data = ReviewSchema().load(request.get_json())
    table.put_item(Item={"score": score, **data})
    return {}


@bp.patch("/items/<int:item_id>")
@jwt_required()
def patch_item(item_id):
    changes = request.get_json()
    table.update_item(
        Key={"id": item_id},
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        ExpressionAttributeNames={f"#{k}": k for k in changes},
        ExpressionAttributeValues={f":{k}": v for k, v in changes.items()},
    )
    return {}


app.register_blueprint(bp)
