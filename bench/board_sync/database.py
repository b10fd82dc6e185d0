"""Mocklane's side of a run: a fresh database with R accepted interviews and their users' session
cookies (made in a subprocess with the servers' settings), and the check of the op log and the
element table against what the clients saw acked."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .common import LOOPBACK, PYTHON, ROOT, log
from .processes import run_checked


def psql(sql: str, *, db: str = "postgres", pg_user: str = "postgres", port: int = 5432) -> str:
    cmd = ["psql", "-h", LOOPBACK, "-p", str(port), "-U", pg_user, "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr.strip()}")
    return result.stdout.strip()


def prepare_database(args, env: dict, rooms: int, out_dir: Path) -> dict:
    started = time.monotonic()
    log(f"database {args.db_name}: drop, create, migrate, load_content")
    psql(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)', pg_user=args.pg_user, port=args.pg_port)
    psql(f'CREATE DATABASE "{args.db_name}"', pg_user=args.pg_user, port=args.pg_port)
    boot_env = {k: v for k, v in env.items() if k != "REDIS_URL"}  # eager Celery, in-memory layer
    run_checked([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=boot_env, timeout=180, what="migrate")
    run_checked([PYTHON, "manage.py", "load_content"], env=boot_env, timeout=120, what="load_content")
    out = out_dir / "rooms.json"
    log(f"creating {rooms} accepted interviews (2 users each) and their sessions")
    run_checked(
        [PYTHON, "-m", "bench.board_sync", "--bootstrap", str(rooms), "--bootstrap-out", str(out)],
        env=boot_env,
        timeout=120 + rooms,
        what="bootstrap",
    )
    data = json.loads(out.read_text())
    log(f"database ready in {time.monotonic() - started:.1f} s")
    return data


def bootstrap_main(rooms: int, out: str) -> None:
    """Runs in a subprocess with the servers' environment: users, interviews, session cookies."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from interview.services import interview_accept, interview_schedule, profile_update
    from rubrics.selectors import problem_list

    user_model = get_user_model()
    problem = problem_list().first()
    if problem is None:
        raise SystemExit("the problem bank is empty after load_content")
    result = []
    for room in range(rooms):
        pair = []
        for role in ("i", "c"):
            user = user_model(username=f"bench-{role}{room}", email=f"bench-{role}{room}@bench.invalid")
            user.set_unusable_password()  # no password hashing: 300 users in a second, not minutes
            user.save()
            profile_update(user=user, display_name=f"Bench {role.upper()}{room}", time_zone="UTC")
            pair.append(user)
        interview = interview_schedule(
            created_by=pair[0],
            problem_id=problem.pk,
            scheduled_at=timezone.now(),
            peer=pair[1].username,
            my_role="interviewer",
        )
        interview_accept(interview=interview, user=pair[1])
        users = []
        for user in pair:
            client = Client()
            client.force_login(user)
            users.append({"id": user.pk, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value})
        result.append({"interview": interview.pk, "board": interview.board_id, "users": users})
    with open(out, "w") as f:
        json.dump({"cookie_name": settings.SESSION_COOKIE_NAME, "rooms": result}, f)


def verify_in_database(args, clients: list[dict], op_prefix: str) -> dict:
    """Every acked op must be in the op log; every element must be stored at its last acked version."""
    try:
        import psycopg
    except ImportError:
        return {"skipped": "psycopg is not installed"}
    dsn = f"host={LOOPBACK} port={args.pg_port} user={args.pg_user} dbname={args.db_name} connect_timeout=10"
    acked = {op for c in clients for op in c["acked_ops"]}
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET statement_timeout = 30000")
        cur.execute("SELECT op_id FROM whiteboard_boardop WHERE op_id LIKE %s", (op_prefix + "-%",))
        stored_ops = {row[0] for row in cur.fetchall()}
        element_ids = [c["element_id"] for c in clients]
        cur.execute(
            "SELECT board_id, element_id, version FROM whiteboard_boardelement WHERE element_id = ANY(%s)",
            (element_ids,),
        )
        stored = {(row[0], row[1]): row[2] for row in cur.fetchall()}
    behind = 0
    for c in clients:
        if c["max_acked_version"] and stored.get((c["board"], c["element_id"]), 0) < c["max_acked_version"]:
            behind += 1
    return {
        "acked_ops_checked": len(acked),
        "acked_ops_missing": len(acked - stored_ops),
        "ops_stored_not_acked": len(stored_ops - acked),
        "elements_checked": sum(1 for c in clients if c["max_acked_version"]),
        "elements_behind_acked_version": behind,
    }
