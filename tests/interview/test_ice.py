"""ICE servers for the room's call: settings, TURN REST API credentials, the endpoint, and a real coturn."""

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
import shutil
import socket
import subprocess
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from config.settings import validate_ice_servers
from interview.models import Interview
from interview.services import interview_end
from interview.services.ice import ice_servers_for

from ..test_config import load_settings

pytestmark = pytest.mark.django_db

SECRET = "test-static-auth-secret"
TURN_URLS = ["turn:turn.example.com:3478?transport=udp", "turn:turn.example.com:3478?transport=tcp"]
STUN_URLS = ["stun:stun.example.com:3478"]


def hmac_sha1_b64(secret: str, username: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture
def turn(settings):
    settings.STUN_URLS = STUN_URLS
    settings.TURN_URLS = TURN_URLS
    settings.TURN_SECRET = SECRET
    settings.TURN_CREDENTIAL_TTL_SECONDS = 3600
    return settings


def url(interview) -> str:
    return f"/api/interviews/{interview.pk}/ice-servers/"


# Credentials


def test_turn_credentials_follow_the_turn_rest_api_scheme(turn, interview, interviewer):
    now = timezone.now()
    answer = ice_servers_for(user=interviewer, interview=interview, now=now)
    stun, relay = answer["ice_servers"]
    assert stun == {"urls": STUN_URLS}
    assert relay["urls"] == TURN_URLS
    expiry, who = relay["username"].split(":", 1)
    assert who == f"{interviewer.pk}-{interview.pk}"
    assert int(expiry) == int(now.timestamp()) + 3600
    assert relay["credential"] == hmac_sha1_b64(SECRET, relay["username"])
    assert dt.datetime.fromisoformat(answer["expires_at"]) == dt.datetime.fromtimestamp(int(expiry), tz=dt.UTC)
    assert answer["expires_at"].endswith("Z")


def test_expiry_follows_the_ttl(turn, interview, interviewer):
    turn.TURN_CREDENTIAL_TTL_SECONDS = 90
    before = int(time.time())
    relay = ice_servers_for(user=interviewer, interview=interview)["ice_servers"][1]
    expiry = int(relay["username"].split(":", 1)[0])
    assert before + 90 <= expiry <= int(time.time()) + 90


def test_credentials_are_per_user_and_interview(turn, interview, interviewer, candidate):
    now = timezone.now()
    mine = ice_servers_for(user=interviewer, interview=interview, now=now)["ice_servers"][1]
    theirs = ice_servers_for(user=candidate, interview=interview, now=now)["ice_servers"][1]
    assert mine["username"] != theirs["username"] and mine["credential"] != theirs["credential"]
    assert theirs["username"].endswith(f":{candidate.pk}-{interview.pk}")


def test_no_stun_or_turn_configured_gives_an_empty_list(settings, interview, interviewer):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET = [], [], ""
    assert ice_servers_for(user=interviewer, interview=interview) == {"ice_servers": [], "expires_at": None}


def test_stun_only_has_no_credentials(settings, interview, interviewer):
    settings.STUN_URLS, settings.TURN_URLS = STUN_URLS, []
    assert ice_servers_for(user=interviewer, interview=interview) == {
        "ice_servers": [{"urls": STUN_URLS}],
        "expires_at": None,
    }


# Settings


def test_turn_urls_without_a_secret_are_refused():
    with pytest.raises(ImproperlyConfigured, match="TURN_SECRET must be set"):
        validate_ice_servers(stun_urls=[], turn_urls=TURN_URLS, turn_secret="")
    validate_ice_servers(stun_urls=[], turn_urls=TURN_URLS, turn_secret=SECRET)
    validate_ice_servers(stun_urls=[], turn_urls=[], turn_secret="")


@pytest.mark.parametrize(
    ("stun", "turn_urls", "message"),
    [
        (["turn.example.com:3478"], [], "STUN_URLS entries must start with stun: or stuns:"),
        ([], ["https://turn.example.com"], "TURN_URLS entries must start with turn: or turns:"),
    ],
)
def test_urls_need_their_scheme(stun, turn_urls, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        validate_ice_servers(stun_urls=stun, turn_urls=turn_urls, turn_secret=SECRET)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TURN_URLS": ",".join(TURN_URLS)}, "TURN_SECRET must be set"),
        ({"TURN_CREDENTIAL_TTL_SECONDS": "30"}, "TURN_CREDENTIAL_TTL_SECONDS must be at least 60"),
    ],
)
def test_bad_ice_settings_fail_at_start(env, message):
    result = load_settings(**env)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_good_ice_settings_load():
    result = load_settings(TURN_URLS=",".join(TURN_URLS), TURN_SECRET=SECRET, STUN_URLS=STUN_URLS[0])
    assert result.returncode == 0, result.stderr


# The endpoint


@pytest.mark.parametrize("who", ["interviewer", "candidate"])
def test_participants_get_their_own_credentials(turn, api_for, interview, who, request):
    user = request.getfixturevalue(who)
    response = api_for(user).get(url(interview))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    stun, relay = body["ice_servers"]
    assert stun == {"urls": STUN_URLS}
    assert relay["urls"] == TURN_URLS
    assert relay["username"].endswith(f":{user.pk}-{interview.pk}")
    assert relay["credential"] == hmac_sha1_b64(SECRET, relay["username"])
    assert body["expires_at"] == (
        dt.datetime.fromtimestamp(int(relay["username"].split(":")[0]), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def test_loopback_config_answers_an_empty_list(settings, api_for, interview, interviewer):
    settings.STUN_URLS, settings.TURN_URLS, settings.TURN_SECRET = [], [], ""
    response = api_for(interviewer).get(url(interview))
    assert response.status_code == 200
    assert response.json() == {"ice_servers": [], "expires_at": None}


def test_outsider_and_anonymous_are_refused(turn, api_for, interview, outsider):
    for user, status in ((outsider, 404), (None, 403)):
        response = api_for(user).get(url(interview))
        assert response.status_code == status, (user, response.content)
        assert set(response.json()) == {"code", "message"}


def test_unknown_interview_is_not_found(turn, api_for, interviewer):
    assert api_for(interviewer).get("/api/interviews/999999/ice-servers/").status_code == 404


def test_refused_before_the_room_opens(turn, api_for, interview, interviewer):
    Interview.objects.filter(pk=interview.pk).update(scheduled_at=timezone.now() + dt.timedelta(hours=2))
    response = api_for(interviewer).get(url(interview))
    assert response.status_code == 409 and response.json()["code"] == "not_live"


def test_refused_before_the_invitation_is_accepted(turn, api_for, invited_interview, interviewer):
    response = api_for(interviewer).get(url(invited_interview))
    assert response.status_code == 409 and response.json()["code"] == "not_live"


def test_refused_after_the_interview_ended(turn, api_for, interview, interviewer, candidate):
    interview_end(interview=interview, user=interviewer)
    for user in (interviewer, candidate):
        response = api_for(user).get(url(interview))
        assert response.status_code == 409 and response.json()["code"] == "not_live"


def test_the_schema_documents_the_endpoint(api_for, interviewer):
    schema = api_for(interviewer).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/interviews/{id}/ice-servers/"]["get"]
    assert set(operation["responses"]) >= {"200", "409"}


# A real coturn: the credentials we sign are the ones it accepts.


def _free_port() -> int:
    """A port free on 127.0.0.1 for both TCP and UDP (coturn listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


def _need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        reason = f"{binary} is not installed (Debian package coturn)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; REQUIRE_BROWSER=1 needs it")
        pytest.skip(reason)
    return path


@pytest.fixture
def coturn(tmp_path):
    """A throwaway turnserver on a free loopback port with a fresh secret; yields (port, secret)."""
    binary = _need("turnserver")
    _need("turnutils_uclient")
    port = _free_port()
    secret = secrets.token_hex(16)
    relay_base = 50000 + (port % 1500) * 10  # a small relay range of its own, away from other runs
    log = tmp_path / "turnserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "-n",
                "--listening-ip=127.0.0.1",
                f"--listening-port={port}",
                "--relay-ip=127.0.0.1",
                "--use-auth-secret",
                f"--static-auth-secret={secret}",
                "--realm=mocklane",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--fingerprint",
                "--allow-loopback-peers",
                "--log-file=stdout",
                "--simple-log",
                f"--pidfile={tmp_path / 'turnserver.pid'}",
                f"--userdb={tmp_path / 'turndb'}",
                f"--min-port={relay_base}",
                f"--max-port={relay_base + 9}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                pytest.fail(f"turnserver exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"turnserver did not listen on {port}:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.05)
        yield port, secret
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def allocate(*, port: int, username: str, password: str, tcp: bool = False) -> subprocess.CompletedProcess:
    """Two coturn test clients allocate relays and send each other a message through them."""
    command = [shutil.which("turnutils_uclient"), "-y", "-c", "-n", "1", "-m", "1", "-p", str(port)]
    if tcp:
        command.append("-t")
    command += ["-u", username, "-w", password, "127.0.0.1"]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)


def _relay(settings, coturn, user, interview, now=None) -> tuple[int, dict]:
    port, secret = coturn
    settings.TURN_URLS = [f"turn:127.0.0.1:{port}?transport=udp", f"turn:127.0.0.1:{port}?transport=tcp"]
    settings.TURN_SECRET = secret
    settings.STUN_URLS = []
    (relay,) = ice_servers_for(user=user, interview=interview, now=now)["ice_servers"]
    return int(relay["urls"][0].split("?")[0].rsplit(":", 1)[1]), relay


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_coturn_accepts_our_credentials(settings, coturn, interview, candidate, tcp):
    port, relay = _relay(settings, coturn, candidate, interview)
    result = allocate(port=port, username=relay["username"], password=relay["credential"], tcp=tcp)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Cannot complete Allocation" not in output and "tot_recv_msgs=2" in output, output


def test_coturn_refuses_expired_credentials(settings, coturn, interview, candidate):
    ttl = dt.timedelta(seconds=settings.TURN_CREDENTIAL_TTL_SECONDS)
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    port, relay = _relay(settings, coturn, candidate, interview, now=an_hour_ago - ttl)
    assert int(relay["username"].split(":")[0]) < time.time()
    result = allocate(port=port, username=relay["username"], password=relay["credential"])
    assert result.returncode != 0 and "Cannot complete Allocation" in result.stdout + result.stderr


def test_coturn_refuses_a_wrong_password(settings, coturn, interview, candidate):
    port, relay = _relay(settings, coturn, candidate, interview)
    wrong = hmac_sha1_b64("not-the-secret", relay["username"])
    result = allocate(port=port, username=relay["username"], password=wrong)
    assert result.returncode != 0 and "Cannot complete Allocation" in result.stdout + result.stderr
