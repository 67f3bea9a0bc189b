"""The batch edit API tests (tests/api/test_batch.py) run again with the AWS adapters on moto: batch records
under the owner in DynamoDB, selection by camera through the text-prefix index items."""

from __future__ import annotations

import pytest

from api import test_batch as batch_tests
from cloudalbum import bootstrap
from cloudalbum.config import Settings

pytestmark = pytest.mark.emulator

for _name in dir(batch_tests):
    if _name.startswith("test_"):
        globals()[_name] = getattr(batch_tests, _name)


@pytest.fixture
def settings(aws_settings: Settings) -> Settings:
    return aws_settings  # moto, with the bucket, queues and table made (tests/aws/conftest.py)


def test_selection_by_camera_costs_the_same_in_a_bigger_library_and_never_scans(alice: object,
                                                                                container: bootstrap.Container) -> None:
    """The camera's photos are read through its text-prefix index items: other photos added to the library do not
    change the requests a batch by camera makes."""
    from collections import Counter
    from typing import Any

    user: Any = alice
    canon = batch_tests.seed(user, container, ["2015-04-10T20:12:23"] * 3)
    calls: list[str] = []
    container.store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    def counted(label: str) -> Counter[str]:
        calls.clear()
        r = batch_tests.batch(user, camera={"make": "Canon", "model": "EOS 5D"}, add_labels=[label])
        assert r.status_code == 200 and sorted(r.get_json()["photo_ids"]) == sorted(canon)
        return Counter(calls)

    small = counted("one")
    batch_tests.seed(user, container, ["2016-01-01T00:00:00"] * 20, camera=("SONY", "ILCE-7"))
    big = counted("two")
    assert "Scan" not in big and big == small, (small, big)
