"""DynamoMetadataStore against the identical-files contract: a SHA#<owner>#<sha256> item put conditionally in
the photo's transaction (moto server and DynamoDB Local)."""

from __future__ import annotations

from aws.test_contracts import OnDynamoDBLocal, OnMoto
from contract.identical_contract import IdenticalFilesContract


class TestDynamoIdenticalFilesOnMoto(OnMoto, IdenticalFilesContract):
    pass


class TestDynamoIdenticalFilesOnDynamoDBLocal(OnDynamoDBLocal, IdenticalFilesContract):
    pass
