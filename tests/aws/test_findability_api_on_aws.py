"""The findability API and question tests (tests/findability/) run again with the AWS adapters on moto: the
`settings` fixture of tests/conftest.py is replaced by AWS-shape settings, so the app, client and users those
tests use are built on S3 + DynamoDB + SQS by the same composition root."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from findability.test_api import (  # noqa: F401 - collected here on the AWS shape
    photos,
    test_album_bad_input,
    test_albums_crud_membership_and_privacy,
    test_bad_search_parameters_are_clear_422s,
    test_free_text_is_never_fts_syntax,
    test_lists_paginate_and_stay_private,
    test_map_is_geojson_of_located_photos,
    test_search_with_reasons,
    test_upload_straight_into_an_album,
)
from findability.test_question_listing_api import (  # noqa: F401
    test_a_cap_per_library_and_its_cursor,
    test_one_question_per_run_and_one_answer_places_the_run,
)
from findability.test_questions import (  # noqa: F401
    test_burst_gets_one_event_question_scored_by_its_size,
    test_confirm_and_reject_labels,
    test_date_answer,
    test_location_answer_as_coordinates_and_bad_places,
    test_location_answer_by_place_name_makes_it_findable,
    test_naming_a_pet_or_person_is_searchable,
    test_questions_are_private_and_paginated,
)

pytestmark = pytest.mark.emulator


@pytest.fixture
def settings(moto_env: str, tmp_path: Path) -> Settings:
    s = unique_settings(tmp_path)
    init_aws(s)
    return s
