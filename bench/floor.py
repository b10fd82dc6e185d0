"""The harness's floor: a plain asyncio WebSocket relay with no framework, no Redis, no database.

bench/board_sync/ runs it with `--servers floor` to show what the load generator itself can
measure on this machine: if the floor's latencies are low at a given R, the load generator is not
what limits the other servers there. Same wire shape as bench/relay.py (snapshot on connect, ack
to the sender, the message to the other sockets of the room `/ws/boards/<n>/`).

    .venv/bin/python bench/floor.py --port 8101
"""

import argparse
import asyncio
import contextlib
import json
import re

from websockets.asyncio.server import broadcast, serve

ROOM_PATH = re.compile(r"^/ws/boards/(\d+)/$")
rooms: dict[str, set] = {}


async def handler(ws):
    match = ROOM_PATH.match(ws.request.path)
    if match is None:
        await ws.close(code=4404)
        return
    members = rooms.setdefault(match.group(1), set())
    members.add(ws)
    try:
        await ws.send('{"type":"snapshot","seq":0,"elements":[]}')
        async for raw in ws:
            try:
                frame = json.loads(raw)
                kind = frame["type"]
            except (ValueError, KeyError, TypeError):
                continue
            if kind == "ops":
                await ws.send(
                    json.dumps(
                        {"type": "ack", "op_id": frame.get("op_id"), "seq": None, "accepted": [], "rejected": []}
                    )
                )
            broadcast([m for m in members if m is not ws], raw)
    finally:
        members.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None, max_queue=4096):
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        uvloop = None
    with contextlib.suppress(KeyboardInterrupt):
        (uvloop.run if uvloop else asyncio.run)(main(args.port))
