"""Board sync benchmark: real uvicorn processes, PostgreSQL, the Redis channel layer.

For each point (server, R rooms) it starts the server process(es), opens 3 board sockets per
room from separate load-generator processes, sends element updates (10/s per client) and cursor
presence (20/s per client) on a fixed open-loop schedule, and measures ack and fan-out latency,
delivered ops/s, lost and duplicated ops, and CPU. The same load runs against a bare Channels
relay (bench/relay.py) for comparison.

    .venv/bin/python -m bench.board_sync --quick          # R = 1, 50; under 90 s
    .venv/bin/python -m bench.board_sync                  # R = 1, 50, 150
    .venv/bin/python -m bench.board_sync --find-knee      # first R where fan-out p99 > 100 ms

Exactly one JSON object goes to stdout; progress goes to stderr. See bench/README.md.

The parts: cli.py (options, the run from start to JSON), scenarios.py (which points, in what
order, the knee), point.py (one point: servers, load processes, phases), processes.py (child
processes and servers), clients.py (one load client's socket, schedule and records), loadgen.py
(a load-generator process), stats.py (percentiles and a point's figures), cpu.py (CPU from
/proc), database.py (Mocklane's database, users and the check of the op log), report.py (the
machine, the code, the comparison with the relay), common.py (constants, log, clock).
"""
