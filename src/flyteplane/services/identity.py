"""Version, auth metadata and identity answers for a control plane running without authentication."""

from __future__ import annotations

import platform

from flyteidl.admin import version_pb2
from flyteidl.service import auth_pb2, identity_pb2

from flyteplane import __version__

AUTH_HEADER = "flyte-authorization"


class IdentityService:
    def __init__(self, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")
        self._version = version_pb2.GetVersionResponse(
            control_plane_version=version_pb2.Version(
                Build=f"flyteplane {__version__} (python {platform.python_version()})",
                Version=f"v{__version__}",  # flyteadmin reports a v-prefixed version; flytekit expects one
                BuildTime="",
            )
        )

    def get_version(self, _req: version_pb2.GetVersionRequest) -> version_pb2.GetVersionResponse:
        return self._version

    def get_public_client_config(
        self, _req: auth_pb2.PublicClientAuthConfigRequest
    ) -> auth_pb2.PublicClientAuthConfigResponse:
        """What a client would use to log in; with auth off any token is accepted and none is required."""
        return auth_pb2.PublicClientAuthConfigResponse(
            client_id="flytectl",
            redirect_uri="http://localhost:53593/callback",
            scopes=["all", "offline"],
            authorization_metadata_key=AUTH_HEADER,
        )

    def get_oauth2_metadata(self, _req: auth_pb2.OAuth2MetadataRequest) -> auth_pb2.OAuth2MetadataResponse:
        base = self.public_url
        return auth_pb2.OAuth2MetadataResponse(
            issuer=base,
            authorization_endpoint=f"{base}/oauth2/authorize",
            token_endpoint=f"{base}/oauth2/token",
            jwks_uri=f"{base}/oauth2/jwks",
            code_challenge_methods_supported=["S256"],
            response_types_supported=["code", "token", "code token"],
            grant_types_supported=["client_credentials", "refresh_token", "authorization_code"],
            scopes_supported=["all"],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
        )

    def user_info(self, _req: identity_pb2.UserInfoRequest) -> identity_pb2.UserInfoResponse:
        """With authentication off every caller is the same anonymous user."""
        return identity_pb2.UserInfoResponse(subject="anonymous", name="Anonymous", preferred_username="anonymous")
