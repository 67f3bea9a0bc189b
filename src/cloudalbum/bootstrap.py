"""The composition root: builds adapters and services from Settings. Nothing else wires things together.

Adapters are imported lazily so that the embedded shape never imports boto3 and the API process never loads
the detection model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .config import Settings
from .ports import (
    BlobStore,
    Clock,
    Detector,
    FaceAnalyzer,
    Geocoder,
    JobQueue,
    MetadataStore,
    TextReader,
    TimeZoneFinder,
)

if TYPE_CHECKING:  # pragma: no cover
    from .domain.model import Photo
    from .services.accounts import AccountService
    from .services.albums import AlbumService
    from .services.auth import AuthService
    from .services.batches import BatchService
    from .services.duplicate_backfill import DuplicateBackfill
    from .services.duplicates import DuplicateService
    from .services.limits import LimitsService
    from .services.maintenance import MaintenanceService
    from .services.moving import ExportService, ImportService
    from .services.people import PeopleService
    from .services.photos import PhotoService
    from .services.places import PlaceService
    from .services.processing import ProcessingService
    from .services.questions import QuestionService
    from .services.search import SearchService
    from .services.sharing import ShareService
    from .services.text import TextService
    from .services.tracks import TrackService
    from .services.trash import TrashService
    from .services.trips import TripService


@dataclass
class Container:
    """Everything a process needs, built once. Tests pass their own adapters in `overrides`."""

    settings: Settings
    overrides: dict[str, Any] = field(default_factory=dict)
    clock: Clock = field(default_factory=Clock)

    # --- adapters -----------------------------------------------------------------------------------------

    @cached_property
    def blobs(self) -> BlobStore:
        if "blobs" in self.overrides:
            return self.overrides["blobs"]
        s = self.settings
        if s.backend == "aws":
            from .adapters.aws.blobstore import S3BlobStore

            return S3BlobStore.from_settings(s)
        from .adapters.embedded.blobstore import FileBlobStore

        return FileBlobStore(s.data_dir / "blobs")

    @cached_property
    def store(self) -> MetadataStore:
        if "store" in self.overrides:
            return self.overrides["store"]
        s = self.settings
        if s.backend == "aws":
            from .adapters.aws.store import DynamoMetadataStore

            return DynamoMetadataStore.from_settings(s)
        from .adapters.embedded.store import SqliteMetadataStore

        return SqliteMetadataStore(s.data_dir / "cloudalbum.sqlite3")

    @cached_property
    def queue(self) -> JobQueue:
        if "queue" in self.overrides:
            return self.overrides["queue"]
        s = self.settings
        if s.backend == "aws":
            from .adapters.aws.queue import SqsJobQueue

            return SqsJobQueue.from_settings(s)
        from .adapters.embedded.queue import SqliteJobQueue

        return SqliteJobQueue(
            s.data_dir / "queue.sqlite3",
            visibility_timeout_s=s.visibility_timeout_s,
            max_receives=s.max_receives,
        )

    @cached_property
    def geocoder(self) -> Geocoder:
        if "geocoder" in self.overrides:
            return self.overrides["geocoder"]
        from .adapters.ml.geocoder import OfflineGeocoder

        return OfflineGeocoder()

    @cached_property
    def time_zones(self) -> TimeZoneFinder:
        """The zone at a GPS position (issue 16 item 1); its data loads on the first lookup."""
        if "time_zones" in self.overrides:
            return self.overrides["time_zones"]
        from .adapters.ml.timezones import OfflineTimeZones

        return OfflineTimeZones()

    @cached_property
    def detector(self) -> Detector:
        """Loaded on first use (workers only). Raises ModelUnavailable for a missing or corrupt model."""
        if "detector" in self.overrides:
            return self.overrides["detector"]
        from .adapters.ml.detector import OnnxDetector

        s = self.settings
        return OnnxDetector.load(s.model, model_path=s.model_path or None, threshold=s.detect_threshold)

    @cached_property
    def face_analyzer(self) -> FaceAnalyzer:
        """Loaded on first use (workers only). Raises ModelUnavailable for missing or corrupt face models."""
        if "face_analyzer" in self.overrides:
            return self.overrides["face_analyzer"]
        from .adapters.ml.faces import OpencvFaceAnalyzer

        return OpencvFaceAnalyzer.load(threshold=self.settings.face_threshold)

    @cached_property
    def text_reader(self) -> TextReader:
        """Loaded on first use (workers only). Raises ModelUnavailable for missing or corrupt text models."""
        if "text_reader" in self.overrides:
            return self.overrides["text_reader"]
        from .adapters.ml.text_reader import RapidTextReader

        return RapidTextReader.load(detect_long_side=self.settings.text_long_side)

    # --- services -----------------------------------------------------------------------------------------

    @cached_property
    def auth(self) -> AuthService:
        from .services.auth import AuthService

        return AuthService(self.store.users, self.settings, self.clock)

    @cached_property
    def accounts(self) -> AccountService:
        from .services.accounts import AccountService

        return AccountService(self.store, self.blobs, self.auth, shares=self.store.shares, limits=self.limits)

    @cached_property
    def photos(self) -> PhotoService:
        from .services.photos import PhotoService

        # The geocoder is passed as a factory: it loads its data only when a user sets a location by hand.
        return PhotoService(self.store.photos, self.store.albums, self.blobs, self.queue, self.settings,
                            geocoder=lambda: self.geocoder, people=self.people, limits=self.limits,
                            restored=lambda photo: self.trash.restored(photo),
                            placed=lambda photos: self.places.anchors_arrived(photos),
                            moved=lambda photo, before: self.trips.photo_moved(photo, before),
                            deleted=self._photo_deleted)

    def _photo_deleted(self, photo: Photo) -> None:
        """A photo deleted for good: it leaves its duplicate group, and its month's trips are found again."""
        self.duplicates.photo_left(photo, deleted=True)
        self.trips.photo_moved(photo, None)

    @cached_property
    def trash(self) -> TrashService:
        from .services.trash import TrashService

        return TrashService(self.store.photos, lambda owner, pid: self.photos.delete(owner, pid, only_trashed=True),
                            self.photos.requeue, trash_days=self.settings.trash_days, now=self.clock.now,
                            people=lambda photo, trashed: self.people.photo_trashed(photo, trashed),
                            trashed=self._photo_left_library, back=self._photo_back)

    def _photo_left_library(self, photo: Photo) -> None:
        """A photo moved to the trash: it leaves its duplicate group, and its month's trips are found again."""
        self.duplicates.photo_left(photo)
        self.trips.photo_moved(photo, None)

    def _photo_back(self, photo: Photo) -> None:
        """A processed photo came back from the trash: its month's trips are found again, and it is grouped with
        its duplicates again."""
        self.trips.photo_moved(photo, None)
        self.duplicates.find(photo)

    @cached_property
    def duplicates(self) -> DuplicateService:
        from .services.duplicates import DuplicateService

        return DuplicateService(self.store.duplicates, self.store.photos, self.store.albums,
                                lambda owner, pid: self.trash.move_to_trash(owner, pid))

    @cached_property
    def duplicate_backfill(self) -> DuplicateBackfill:
        from .services.duplicate_backfill import DuplicateBackfill

        return DuplicateBackfill(self.store.photos, self.blobs, self.duplicates, lambda: self.queue,
                                 max_decode_bytes=self.settings.max_decode_bytes)

    @cached_property
    def limits(self) -> LimitsService:
        from .services.limits import LimitsService

        return LimitsService(self.store.limits, self.settings, self.clock.now)

    @cached_property
    def people(self) -> PeopleService:
        from .services.people import PeopleService

        s = self.store
        return PeopleService(faces=s.faces, photos=s.photos, questions=s.questions, scans=s.limits, index=s.index,
                             blobs=self.blobs, settings=self.settings, queue=lambda: self.queue, limits=self.limits)

    @cached_property
    def questions(self) -> QuestionService:
        from .services.questions import QuestionService

        return QuestionService(self.store.questions, self.store.photos, self.store.index, self.geocoder, self.settings,
                               people=self.people, placed=self._photos_placed, trips=lambda: self.trips)

    def _photos_placed(self, photos: list[Photo]) -> None:
        """Photos placed by an answer: the open photos around them may follow, and their months' trips are
        found again."""
        self.places.anchors_arrived(photos)
        self.trips.photos_moved(photos)

    @cached_property
    def trips(self) -> TripService:
        from .services.trips import TripService

        return TripService(self.store.trips, self.store.photos, self.store.questions, self.albums,
                           lambda: self.queue, self.clock.now)

    @cached_property
    def processing(self) -> ProcessingService:
        from .services.local_time import LocalTimes
        from .services.processing import ProcessingService

        return ProcessingService(
            self.store.photos, self.blobs, lambda: self.detector, self.geocoder, self.questions, self.settings,
            faces_provider=lambda: self.face_analyzer, people=self.people, queue=self.queue, places=self.places,
            trips=lambda photo: self.trips.photo_changed(photo.id, photo.owner_id), duplicates=self.duplicates,
            local_times=LocalTimes(lambda: self.time_zones, self.store.users.timezone_of),
        )

    @cached_property
    def places(self) -> PlaceService:
        from .services.places import PlaceService

        return PlaceService(self.store.photos, self.store.places, self.store.questions, lambda: self.geocoder,
                            lambda: self.queue)

    @cached_property
    def tracks(self) -> TrackService:
        from .services.tracks import TrackService

        return TrackService(self.store.photos, self.store.places, self.places, self.store.users, lambda: self.geocoder,
                            self.settings, moved=self.trips.photos_moved)

    @cached_property
    def text(self) -> TextService:
        from .services.text import TextService

        return TextService(self.store.photos, self.blobs, lambda: self.text_reader, self.settings)

    @cached_property
    def search(self) -> SearchService:
        from .services.search import SearchService

        return SearchService(self.store.index, self.store.faces, self.geocoder)

    @cached_property
    def batches(self) -> BatchService:
        from .services.batches import BatchService

        return BatchService(self.photos, self.store.albums, self.store.index, self.store.batches,
                            geocoder=lambda: self.geocoder)

    @cached_property
    def albums(self) -> AlbumService:
        from .services.albums import AlbumService

        return AlbumService(self.store.albums, self.store.photos)

    @cached_property
    def importer(self) -> ImportService:
        from .services.moving import ImportService

        return ImportService(self.photos, self.albums)

    @cached_property
    def exporter(self) -> ExportService:
        from .services.moving import ExportService

        return ExportService(self.store.photos, self.store.albums, self.blobs, self.albums)

    @cached_property
    def sharing(self) -> ShareService:
        from .services.sharing import ShareService

        s = self.store
        return ShareService(users=s.users, photos=s.photos, albums=s.albums, shares=s.shares, blobs=self.blobs,
                            settings=self.settings, clock=self.clock, hasher=lambda: self.auth.hasher)

    @cached_property
    def maintenance(self) -> MaintenanceService:
        from .services.maintenance import MaintenanceService

        return MaintenanceService(self.store.photos, self.blobs, self.queue, self.settings, trash=self.trash)

    def close(self) -> None:
        for name in ("store", "queue"):
            obj = self.__dict__.get(name)
            if obj is not None and hasattr(obj, "close"):
                obj.close()


def build(settings: Settings, **overrides: Any) -> Container:
    """Validate settings and return the container (adapters are created on first use)."""
    return Container(settings.validate(), overrides=overrides)
