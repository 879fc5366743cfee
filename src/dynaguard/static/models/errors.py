"""How a refused DynamoDB request is spelt by boto3 and PynamoDB (DG302's refusals, DG502)."""

from __future__ import annotations

from dynaguard.static.flow.exceptions import BROAD

CLIENT_ERRORS = frozenset(
    {
        "ClientError",
        "ConditionalCheckFailedException",
        "PutError",
        "UpdateError",
        "DeleteError",
        "PynamoDBException",
        "PynamoDBConnectionError",
        *BROAD,
    }
)
"""What catches a refused DynamoDB request (boto3 and PynamoDB spellings)."""
