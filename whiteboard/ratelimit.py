"""A token bucket, to limit how often one socket may do something (ops, presence, `sync`)."""

import time


class TokenBucket:
    """`rate` tokens a second, bursts up to `capacity`. Not thread-safe: one per connection."""

    def __init__(self, *, rate: float, capacity: float, clock=time.monotonic):
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.clock = clock
        self.updated = clock()

    def take(self, cost: float = 1.0) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False
