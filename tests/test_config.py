import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.CHANNEL_LAYERS['default']['BACKEND'])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "off"}, "SECRET_KEY must be set"),
        ({"DEBUG": "off", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must start with redis://"),
        ({"BOARD_MAX_ELEMENTS": "lots"}, "BOARD_MAX_ELEMENTS must be a whole number"),
        ({"BOARD_MAX_MESSAGE_BYTES": "10"}, "BOARD_MAX_MESSAGE_BYTES must be at least 1024"),
    ],
)
def test_bad_settings_fail_at_start_with_a_clear_message(env, message):
    result = load_settings(**env)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_redis_url_switches_to_the_pubsub_layer():
    assert load_settings(REDIS_URL="redis://127.0.0.1:6379/0").stdout.strip() == (
        "channels_redis.pubsub.RedisPubSubChannelLayer"
    )
    assert load_settings().stdout.strip() == "channels.layers.InMemoryChannelLayer"
