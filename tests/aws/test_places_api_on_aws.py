"""Inferred places and GPS tracks run again with the AWS adapters on moto (DynamoDB's PR# index items, SQS for
the infer_places job): the `settings` fixture is replaced by AWS-shape settings, so the same composition root
builds S3 + DynamoDB + SQS."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from places import test_inferred_places as inferred
from places import test_tracks as tracks

pytestmark = pytest.mark.emulator

# collected here on the AWS shape
test_a_photo_between_two_located_ones_ten_minutes_apart_is_inferred = \
    inferred.test_a_photo_between_two_located_ones_ten_minutes_apart_is_inferred
test_a_late_neighbour_places_the_photo_taken_before_it = inferred.test_a_late_neighbour_places_the_photo_taken_before_it
test_a_far_apart_pair_gives_a_suggestion_answered_yes = inferred.test_a_far_apart_pair_gives_a_suggestion_answered_yes
test_no_declines_the_suggestion_and_a_place_name_overrides_it = \
    inferred.test_no_declines_the_suggestion_and_a_place_name_overrides_it
test_exif_and_user_places_are_never_overwritten = inferred.test_exif_and_user_places_are_never_overwritten
test_other_owners_photos_never_place_mine = inferred.test_other_owners_photos_never_place_mine
test_a_track_places_photos_across_a_time_zone = tracks.test_a_track_places_photos_across_a_time_zone
test_a_track_never_changes_a_users_place_but_replaces_an_inferred_one = \
    tracks.test_a_track_never_changes_a_users_place_but_replaces_an_inferred_one
test_bad_gpx_is_a_4xx_and_changes_nothing = tracks.test_bad_gpx_is_a_4xx_and_changes_nothing
test_the_accounts_time_zone_is_the_tracks_default = tracks.test_the_accounts_time_zone_is_the_tracks_default


@pytest.fixture
def settings(moto_env: str, tmp_path: Path) -> Settings:
    s = dataclasses.replace(unique_settings(tmp_path), read_text=False)
    init_aws(s)
    return s
