"""Django for a benchmark: on DATABASE_URL when it is set, else on a scratch SQLite file."""

import os
import tempfile
from collections.abc import Callable


def setup_django() -> Callable[[], None]:
    """Set Django up and migrate; returns what removes the scratch file (if one was made)."""
    scratch = None
    if not os.environ.get("DATABASE_URL"):
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    def cleanup() -> None:
        if scratch is not None:
            os.unlink(scratch.name)

    return cleanup
