"""DynamoMetadataStore against the identical-files contract: a SHA#<owner>#<sha256> item put conditionally in
the photo's transaction (moto server and DynamoDB Local)."""

from __future__ import annotations

from aws.test_contracts import OnDynamoDBLocal, OnMoto
from contract.identical_contract import IdenticalFilesContract


class TestDynamoIdenticalFilesOnMoto(OnMoto, IdenticalFilesContract):
    ATOMIC_RACES = False  # moto let two of 8 racing conditional transactions through in 3 of 4 runs here


class TestDynamoIdenticalFilesOnDynamoDBLocal(OnDynamoDBLocal, IdenticalFilesContract):
    pass
