"""Ports: what the services need from the outside world, as typing.Protocols, one module per area.

Adapters (embedded: files + SQLite; AWS: S3 + DynamoDB + SQS; ml: onnxruntime, OpenCV, offline place data)
implement them; services speak only to these and take the narrowest one they use. Every port has one contract
test-suite in tests/contract/ that runs against each of its adapters. A capability a service uses is declared
here, never probed for with getattr.
"""

from .batches import BatchStore
from .blobs import BlobStore
from .clock import Clock
from .duplicates import Candidate, DuplicateStore
from .faces import FaceStore
from .library import (
                      AlbumStore,
                      MetadataStore,
                      PendingBlobs,
                      PhotoStore,
                      PlaceIndex,
                      QuestionStore,
                      RefreshToken,
                      SearchIndex,
                      Session,
                      UserStore,
)
from .limits import RESERVATION_TTL_S, FaceScan, LimitStore
from .ml import Detection, Detector, FaceAnalyzer, FoundFace, Geocoder, TimeZoneFinder
from .queue import JobQueue, Message, QueueDepth, message_group
from .sharing import ShareStore
from .text import TextLine, TextReader
from .trips import TripStore

__all__ = [
    "AlbumStore", "BatchStore", "BlobStore", "Candidate", "DuplicateStore",
    "Clock", "Detection", "Detector", "FaceAnalyzer", "FaceScan", "FaceStore",
    "FoundFace", "Geocoder", "JobQueue", "LimitStore", "Message", "MetadataStore", "PendingBlobs",
    "PlaceIndex", "SearchIndex", "PhotoStore", "QueueDepth", "QuestionStore", "RESERVATION_TTL_S", "RefreshToken",
    "Session", "ShareStore", "TextLine", "TextReader", "TimeZoneFinder", "TripStore", "UserStore", "message_group",
]
