"""Python values as DynamoDB stores them: numbers, sizes and the types boto3 can serialise.

Limits from https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

MAX_ITEM_BYTES = 400 * 1024
"""DynamoDB's item size limit (names and values, UTF-8)."""
MAX_SORT_KEY_BYTES = 1024
"""The sort key limit; a partition key may hold 2048 bytes, so this bound fits both."""
MAX_DIGITS = 38
MIN_EXPONENT, MAX_EXPONENT = -130, 125


def dynamo_number(value: int | float | Decimal, path: str = "value") -> Decimal | int:
    """``value`` as DynamoDB can store it, or ValueError (NaN, infinity, precision, range)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{path}: NaN and infinity cannot be stored in DynamoDB")
    if number.is_zero():
        return 0 if isinstance(value, int) else Decimal(0)
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # pragma: no cover - finite numbers have int exponents
        raise ValueError(f"{path}: not a finite number")
    # Trailing zeros are not significant: 10**40 is one digit to DynamoDB (and to boto3's context).
    stripped = "".join(map(str, digits)).rstrip("0")
    exponent += len(digits) - len(stripped)
    if len(stripped) > MAX_DIGITS:
        raise ValueError(f"{path}: more than {MAX_DIGITS} significant digits")
    if not MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise ValueError(f"{path}: outside DynamoDB's number range (1E-130 to 1E+126)")
    if isinstance(value, int) and len(digits) <= MAX_DIGITS:
        return value
    return Decimal((sign, tuple(int(d) for d in stripped), exponent))


def to_dynamo(value: Any, path: str = "value") -> Any:
    """``value`` converted to what boto3's serializer accepts (floats become Decimal).

    Raises ValueError for what DynamoDB cannot store.
    """
    if value is None or isinstance(value, bool | str | bytes):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, int | float | Decimal):
        return dynamo_number(value, path)
    if isinstance(value, enum.Enum):
        return to_dynamo(value.value, path)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {_name(k, path): to_dynamo(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, set | frozenset):
        return {to_dynamo(v, path) for v in value}
    raise ValueError(f"{path}: {type(value).__name__} cannot be stored in DynamoDB")


def is_absent(value: Any) -> bool:
    """None and empty sets are not stored: DynamoDB has no empty set, and None means 'not given'."""
    return value is None or (isinstance(value, set | frozenset) and not value)


def item_size(item: Mapping[str, Any]) -> int:
    """An upper estimate of the stored size of ``item`` in bytes, by DynamoDB's sizing rules."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def value_size(value: Any) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, int | Decimal):
        # Documented as about one byte per two significant digits, plus one.
        return (len(Decimal(value).as_tuple().digits) + 1) // 2 + 1
    if isinstance(value, Mapping):
        return 3 + sum(1 + len(str(k).encode()) + value_size(v) for k, v in value.items())
    if isinstance(value, list):
        return 3 + sum(1 + value_size(v) for v in value)
    if isinstance(value, set | frozenset):
        return sum(value_size(v) for v in value)
    return len(str(value).encode())


def _name(key: object, path: str) -> str:
    if not isinstance(key, str):
        raise ValueError(f"{path}: map keys must be strings, not {type(key).__name__}")
    return key
