"""ICE servers for the room's peer-to-peer call: STUN to learn one's public address, TURN to relay
when no direct path exists.

TURN credentials follow the TURN REST API scheme that coturn implements with `use-auth-secret`:
the username is `<expiry unix time>:<user id>-<interview id>` and the password is
base64(HMAC-SHA1(secret, username)). coturn recomputes the password from the shared secret and
refuses the username once its expiry (the part before the first colon) has passed, so nothing is
stored and nobody can reuse credentials for long."""

import base64
import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from ..models import Interview


def turn_password(*, secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers_for(*, user, interview: Interview, now: dt.datetime | None = None) -> dict:
    """The RTCIceServer list for `user` in `interview`, and when its TURN credentials expire (None without TURN)."""
    servers: list[dict] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    expires_at = None
    if settings.TURN_URLS:
        now = now or timezone.now()
        expiry = int(now.timestamp()) + settings.TURN_CREDENTIAL_TTL_SECONDS
        username = f"{expiry}:{user.pk}-{interview.pk}"
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                "username": username,
                "credential": turn_password(secret=settings.TURN_SECRET, username=username),
            }
        )
        expires_at = dt.datetime.fromtimestamp(expiry, tz=dt.UTC).isoformat().replace("+00:00", "Z")
    return {"ice_servers": servers, "expires_at": expires_at}
