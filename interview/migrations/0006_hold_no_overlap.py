"""On PostgreSQL, refuse overlapping holds for one person in the database itself.

Ranges make it work without the btree_gist extension: a person's id becomes the one-point range
[id, id], so `=` on it and `&&` on the time range are both GiST range operators. Holds are
half-open ([start, end)), so back-to-back interviews, like the two halves of a swap, do not clash.
SQLite has no such constraint; there the booking services' write lock (BEGIN IMMEDIATE) serialises
bookings instead."""

from django.db import migrations

CONSTRAINT = "interview_hold_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE interview_hold ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
        "int8range(user_id, user_id, '[]') WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE interview_hold DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("interview", "0005_scheduling_required")]

    operations = [migrations.RunPython(add, remove)]
