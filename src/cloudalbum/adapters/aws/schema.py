"""The table's key schema: generic key names (PK, SK) and three overloaded global secondary indexes (GSI1..GSI3),
defined once here for `cloudalbum aws-init`; deploy/template.yaml mirrors it (a test compares them). What each
key holds is keys.py; docs/dynamodb.md maps every access pattern to its key or index."""

from __future__ import annotations

from typing import Any

GSIS = ("GSI1", "GSI2", "GSI3")

TABLE_SCHEMA: dict[str, Any] = {
    "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in
                             ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")],
    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        {"IndexName": g, "KeySchema": [{"AttributeName": f"{g}PK", "KeyType": "HASH"},
                                       {"AttributeName": f"{g}SK", "KeyType": "RANGE"}],
         "Projection": {"ProjectionType": "ALL"}}
        for g in GSIS
    ],
}
