"""Marshmallow schemas, one module per area: they validate requests and document responses in the OpenAPI
document. Response schemas mirror the {photo}, {album}, {question} shapes of API.md. Routes import them from
here (`from .schemas import PhotoOut`)."""

from __future__ import annotations

from .accounts import (
                       AccountDeleteIn,
                       HealthOut,
                       LoginIn,
                       MeOut,
                       PasswordChangeIn,
                       RefreshIn,
                       RegisterIn,
                       TokenOut,
                       UserOut,
)
from .albums import AlbumIn, AlbumOut, AlbumPage, AlbumPatchIn, AlbumPhotosIn, AlbumPhotosQuery
from .common import ErrorDetail, ErrorOut, PageQuery, page_of
from .people import (
                       FaceOut,
                       FacePage,
                       FaceSettingsIn,
                       FaceSettingsOut,
                       PersonItemOut,
                       PersonMergeIn,
                       PersonOut,
                       PersonPage,
                       PersonPatchIn,
)
from .photos import (
                       AnswerOut,
                       BoxOut,
                       CameraOut,
                       DeleteQuery,
                       FacePersonOut,
                       LabelOut,
                       LocationIn,
                       LocationOut,
                       MatchOut,
                       ModelOut,
                       PhotoFaceOut,
                       PhotoListQuery,
                       PhotoOut,
                       PhotoPage,
                       PhotoPatchIn,
                       PlaceOut,
                       ThumbnailQuery,
                       UploadForm,
)
from .questions import AnswerIn, AnswerResultOut, QuestionListQuery, QuestionOut, QuestionPage
from .search import (
                       FeatureCollectionOut,
                       FeatureOut,
                       InterpretationOut,
                       InterpretationPartOut,
                       MapQuery,
                       MarkerPropertiesOut,
                       PointOut,
                       SearchPage,
                       SearchPageQuery,
                       SearchParamsQuery,
)
from .sharing import (
                       AlbumListQuery,
                       MemberIn,
                       MemberOut,
                       OwnerOut,
                       PublicPhotoOut,
                       PublicShareOut,
                       SharedAlbumOut,
                       SharedAlbumPage,
                       ShareIn,
                       ShareListOut,
                       ShareOut,
                       UnlockIn,
                       UnlockOut,
)

__all__ = [
    "AccountDeleteIn", "AlbumIn", "AlbumListQuery", "AlbumOut", "AlbumPage", "AlbumPatchIn", "AlbumPhotosIn",
    "AlbumPhotosQuery", "AnswerIn", "AnswerOut", "AnswerResultOut", "BoxOut", "CameraOut", "DeleteQuery", "ErrorDetail",
    "ErrorOut",
    "FaceOut", "FacePage", "FacePersonOut", "FaceSettingsIn", "FaceSettingsOut", "FeatureCollectionOut", "FeatureOut",
    "HealthOut", "InterpretationOut", "InterpretationPartOut", "LabelOut", "LocationIn", "LocationOut", "LoginIn",
    "MapQuery", "MarkerPropertiesOut", "MatchOut", "MemberIn", "MemberOut", "MeOut", "ModelOut", "OwnerOut", "page_of",
    "PageQuery", "PasswordChangeIn", "PersonItemOut", "PersonMergeIn", "PersonOut", "PersonPage", "PersonPatchIn",
    "PhotoFaceOut", "PhotoListQuery", "PhotoOut", "PhotoPage", "PhotoPatchIn", "PlaceOut", "PointOut", "PublicPhotoOut",
    "PublicShareOut", "QuestionListQuery", "QuestionOut", "QuestionPage", "RefreshIn", "RegisterIn", "SearchPage",
    "SearchPageQuery", "SearchParamsQuery", "SharedAlbumOut", "SharedAlbumPage", "ShareIn", "ShareListOut", "ShareOut",
    "ThumbnailQuery", "TokenOut", "UnlockIn", "UnlockOut", "UploadForm", "UserOut",
]
