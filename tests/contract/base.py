"""What every store contract shares: the adapter under test comes from a subclass (one per store and emulator:
tests/contract/test_sqlite_*.py, tests/aws/test_contracts.py), and two users own what the tests write."""

from __future__ import annotations

from typing import Any

import pytest


class StoreContract:
    """Subclasses supply `store`: an empty, real metadata store."""

    @pytest.fixture
    def store(self) -> Any:
        raise NotImplementedError("a subclass supplies the adapter under test")

    @pytest.fixture
    def owners(self, store: Any) -> tuple[str, str]:
        """alice and bob, stored; their ids."""
        from contract.metadata_contract import make_user

        alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
        store.users.add_user(alice)
        store.users.add_user(bob)
        return alice.id, bob.id
