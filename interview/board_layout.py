"""The two-lane layout every interview board starts with: the offline path (ingestion, feature
store, training, model registry) on the left, the online path (serving, candidate generation,
ranking, logging) on the right, with a gap between them so nothing sits in both."""

LANE_HEIGHT = 760
LANES = [
    {"key": "offline", "name": "Offline - training pipeline", "x": 0, "y": 0, "width": 960, "height": LANE_HEIGHT},
    {"key": "online", "name": "Online - inference path", "x": 1040, "y": 0, "width": 960, "height": LANE_HEIGHT},
]
