# One clock on every page: 24-hour times wherever a template shows a date or time without a format
# of its own (Django's English formats say "2:30 p.m.").
DATE_FORMAT = "D j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "D j M Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
