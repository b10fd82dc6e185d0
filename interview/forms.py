"""HTML forms. They read what people type; times typed in a person's own zone become aware datetimes
here, and the services decide whether they make sense (in the past, too short, overlapping...)."""

import datetime as dt
import json
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from rubrics.selectors import problem_list

from .lifecycle import min_notice_label
from .models import MatchRequest, Profile
from .services.availability import WEEKDAYS
from .services.bookings import SINGLE_DURATIONS, durations_for
from .services.profiles import MAX_FOCUS_PROBLEMS
from .zones import canonical_zone, canonical_zones, zone_label

WEEKDAY_CHOICES = list(enumerate(WEEKDAYS))
DURATION_CHOICES = [(minutes, f"{minutes} minutes") for minutes in SINGLE_DURATIONS]
SESSION_MODES = [
    ("candidate", "I am the candidate"),
    ("interviewer", "I am the interviewer"),
    ("swap", "Role swap: one interview each"),
]
QUEUE_WINDOWS = 10  # the most windows one queue entry takes (services.matching.MAX_WINDOWS)
QUEUE_WINDOWS_SHOWN = 3


def _valid_zone(value: str) -> str:
    return canonical_zone(value) or "UTC"


class ZonePicker(forms.TextInput):
    """A text box that suggests the canonical zones as you type (a <datalist>: no script needed);
    typing "kolk" or "new york" finds Asia/Kolkata or America/New_York."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-options"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((zone, zone_label(zone)) for zone in canonical_zones())
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>', super().render(name, value, attrs, renderer), list_id, options
        )


class ZoneField(forms.CharField):
    """A canonical IANA zone; an alias (Asia/Calcutta) becomes its zone (Asia/Kolkata)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, widget=ZonePicker, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        zone = canonical_zone(value)
        if zone is None:
            raise forms.ValidationError("Pick a time zone from the list, e.g. Europe/Paris or Asia/Kolkata.")
        return zone


def local_datetime(day: dt.date, at: dt.time, zone_name: str) -> dt.datetime:
    """`at` on `day` on the wall clock of `zone_name`, with that day's offset (daylight saving included)."""
    return dt.datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone_name))


def public_name_field() -> forms.CharField:
    return forms.CharField(
        max_length=60,
        required=False,
        label="Public name",
        help_text="What peers see. Your email address is never shown to them.",
    )


def date_field(**kwargs) -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def time_field(**kwargs) -> forms.TimeField:
    return forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        **kwargs,
    )


class LengthSelect(forms.Select):
    """The length picker of a form that also has a seat or queue mode: lengths the current mode does
    not accept are disabled and hidden (a role swap is 60 or 90 minutes), and static/js/site.js
    does the same as the mode changes. `mode` is set by the form from its data."""

    mode = ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in ("", None) and int(value) not in durations_for(self.mode):
            option["attrs"].update({"disabled": True, "hidden": True})
        return option


def duration_field(**kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=DURATION_CHOICES,
        initial=60,
        widget=LengthSelect(
            attrs={
                "data-lengths-for": "mode",
                "data-lengths": json.dumps({"swap": list(durations_for("swap")), "*": list(SINGLE_DURATIONS)}),
            }
        ),
        **kwargs,
    )


def limit_lengths(form: forms.Form, *, mode_field: str = "mode", duration_field: str = "duration") -> None:
    """Offer only the lengths the form's current mode accepts."""
    raw = form.data.get(form.add_prefix(mode_field)) if form.is_bound else None
    mode = raw if raw is not None else form.initial.get(mode_field, form.fields[mode_field].initial)
    form.fields[duration_field].widget.mode = mode or ""


class SignupExtraForm(forms.Form):
    """Extra sign-up fields; the browser fills in the time zone it detects."""

    display_name = public_name_field()
    time_zone = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def signup(self, request, user):
        from .services import profile_update

        profile_update(
            user=user,
            display_name=self.cleaned_data.get("display_name", ""),
            time_zone=_valid_zone(self.cleaned_data.get("time_zone") or "UTC"),
        )


class ProfileForm(forms.Form):
    display_name = public_name_field()
    time_zone = ZoneField(
        help_text="Type a city or region to search. Every time on Mocklane is shown in this zone; "
        "your weekly availability moves with it.",
    )
    target_role = forms.ChoiceField(
        label="Target role", required=False, choices=[("", "Not set"), *Profile.TargetRole.choices]
    )
    level = forms.ChoiceField(label="Level", required=False, choices=[("", "Not set"), *Profile.Level.choices])
    focus_problems = forms.ModelMultipleChoiceField(
        label="Focus problems",
        queryset=problem_list(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-grid"}),
        help_text=f"Up to {MAX_FOCUS_PROBLEMS}. As a candidate you get these first; peers can filter on them.",
    )
    languages = forms.CharField(
        label="Languages",
        required=False,
        max_length=400,
        help_text="The languages you can interview in, separated by commas: English, French.",
    )
    bio = forms.CharField(
        label="Short bio",
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few lines for your peers: background, what you want to practise. At most 600 characters.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_problems"].queryset = problem_list()

    def clean_focus_problems(self):
        problems = self.cleaned_data["focus_problems"]
        if len(problems) > MAX_FOCUS_PROBLEMS:
            raise forms.ValidationError(f"Pick at most {MAX_FOCUS_PROBLEMS} focus problems.")
        return problems

    def clean_languages(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["languages"].split(",") if name.strip()]


class ScheduleForm(forms.Form):
    problem = forms.ModelChoiceField(
        queryset=problem_list(), empty_label=None, help_text="The case the candidate will design."
    )
    scheduled_at = forms.DateTimeField(
        label="Start time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone; your peer sees it in theirs.",
    )
    start_now = forms.BooleanField(
        label="Start now",
        required=False,
        help_text="Both free now? It starts within minutes, and the room opens as soon as your peer accepts.",
    )
    duration_minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        initial=60,
        choices=DURATION_CHOICES,
    )
    peer = forms.CharField(max_length=254, label="Peer", help_text="Their Mocklane username or email address.")
    my_role = forms.ChoiceField(
        label="I will be",
        choices=[("candidate", "the candidate"), ("interviewer", "the interviewer")],
        widget=forms.RadioSelect,
        initial="candidate",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problem_list()
        self.fields["problem"].label_from_instance = lambda p: f"{p.title} ({p.get_difficulty_display().lower()})"
        self.fields["start_now"].label = f"Start now (in {min_notice_label()})"
        if not self.is_bound:
            start = timezone.localtime() + timezone.timedelta(days=1)
            self.initial.setdefault("scheduled_at", start.replace(minute=0, second=0, microsecond=0))

    def clean(self):
        data = super().clean()
        if not data.get("start_now") and not data.get("scheduled_at") and "scheduled_at" not in self.errors:
            self.add_error("scheduled_at", "Give a start time, or tick Start now.")
        return data


class ZonedForm(forms.Form):
    """A form whose dates and times are typed on the wall clock of `time_zone`."""

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def at(self, day: dt.date, at: dt.time) -> dt.datetime:
        return local_datetime(day, at, self.time_zone)


class WeeklyAvailabilityForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Every", coerce=int, choices=WEEKDAY_CHOICES, initial=0)
    start_time = time_field(label="From", initial=dt.time(18, 0))
    end_time = time_field(label="To", initial=dt.time(20, 0))


class AvailabilityWindowForm(ZonedForm):
    day = date_field(label="On")
    start_time = time_field(label="From")
    end_time = time_field(label="To")

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in ("day", "start_time", "end_time")):
            data["starts_at"] = self.at(data["day"], data["start_time"])
            data["ends_at"] = self.at(data["day"], data["end_time"])
        return data


class SlotFilterForm(forms.Form):
    """The filters of "Find a peer" (a GET form: every field optional)."""

    HOURS_FROM = [("", "any time"), *((h, f"{h:02d}:00") for h in range(24))]
    HOURS_TO = [("", "any time"), *((h, f"{h:02d}:00") for h in range(1, 25))]

    from_date = date_field(label="From", required=False)
    to_date = date_field(label="To", required=False)
    hour_from = forms.TypedChoiceField(
        label="Starting after", coerce=int, empty_value=None, required=False, choices=HOURS_FROM
    )
    hour_to = forms.TypedChoiceField(
        label="Starting before", coerce=int, empty_value=None, required=False, choices=HOURS_TO
    )
    level = forms.ChoiceField(label="Level", required=False, choices=[("", "Any level"), *Profile.Level.choices])
    focus = forms.ChoiceField(label="Focus problem", required=False)
    mode = forms.ChoiceField(label="Session", required=False, choices=SESSION_MODES)
    duration = duration_field(required=False, empty_value=60)
    problem = forms.ModelChoiceField(
        label="Problem to practise",
        queryset=problem_list(),
        required=False,
        empty_label="Any (my focus problems first)",
        help_text="When you are the candidate.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        problems = problem_list()
        self.fields["problem"].queryset = problems
        self.fields["focus"].choices = [("", "Any problem"), *((p.slug, p.title) for p in problems)]
        limit_lengths(self)

    def clean(self):
        data = super().clean()
        data["mode"] = data.get("mode") or "candidate"
        data["duration"] = data.get("duration") or 60
        if data["duration"] not in durations_for(data["mode"]):
            self.add_error("duration", "A role swap lasts 60 or 90 minutes: half each.")
        today = timezone.localdate()
        for name in ("from_date", "to_date"):
            if data.get(name) and abs((data[name] - today).days) > 366:
                self.add_error(name, "Pick a day within the next four weeks.")
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            self.add_error("to_date", "The last day comes before the first one.")
        return data


class BookSlotForm(forms.Form):
    host_id = forms.IntegerField(error_messages={"required": "Unknown peer.", "invalid": "Unknown peer."})
    starts_at = forms.CharField(max_length=40)
    mode = forms.ChoiceField(
        choices=SESSION_MODES, error_messages={"invalid_choice": "Choose candidate, interviewer or swap."}
    )
    duration_minutes = forms.TypedChoiceField(
        coerce=int,
        choices=DURATION_CHOICES,
        error_messages={"invalid_choice": "A session lasts 45, 60, 75 or 90 minutes."},
    )
    problem = forms.ModelChoiceField(
        queryset=problem_list(),
        required=False,
        error_messages={"invalid_choice": "Pick a problem from the problem bank."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem"].queryset = problem_list()

    def clean_starts_at(self) -> dt.datetime:
        raw = self.cleaned_data["starts_at"]
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            value = None
        if value is None or timezone.is_naive(value):
            raise forms.ValidationError("That start time could not be read; pick a slot from the list.")
        return value


class RescheduleForm(ZonedForm):
    day = date_field(label="New date")
    start_time = time_field(label="New start")
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give your peer a short reason."},
    )

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time"):
            data["starts_at"] = self.at(data["day"], data["start_time"])
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give your peer a short reason."},
    )


class QueueForm(ZonedForm):
    """Join the match queue: a session type and up to 10 windows (empty rows are ignored)."""

    mode = forms.ChoiceField(
        label="I want",
        choices=MatchRequest.Mode.choices,
        initial=MatchRequest.Mode.EITHER,
        widget=forms.RadioSelect,
    )
    duration = duration_field()
    now = forms.BooleanField(required=False)  # the "I am free now" button: no windows needed

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_lengths(self)
        for i in range(QUEUE_WINDOWS):
            self.fields[f"window_{i}_day"] = date_field(label="Date", required=False)
            self.fields[f"window_{i}_start"] = time_field(label="From", required=False)
            self.fields[f"window_{i}_end"] = time_field(label="To", required=False)

    def window_rows(self) -> list[dict]:
        """The window inputs as rows for the template; rows past the third show once filled in."""
        rows = []
        for i in range(QUEUE_WINDOWS):
            fields = [self[f"window_{i}_{part}"] for part in ("day", "start", "end")]
            filled = any(field.value() for field in fields)
            rows.append(
                {
                    "index": i,
                    "fields": fields,
                    "errors": [error for field in fields for error in field.errors],
                    "hidden": i >= QUEUE_WINDOWS_SHOWN and not filled,
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        windows = []
        for i in range(QUEUE_WINDOWS):
            names = [f"window_{i}_{part}" for part in ("day", "start", "end")]
            if any(name in self.errors for name in names):
                continue
            day, start, end = (data.get(name) for name in names)
            if not (day or start or end):
                continue
            if not (day and start and end):
                self.add_error(names[0], f"Window {i + 1}: give a date, a start and an end.")
                continue
            windows.append((self.at(day, start), self.at(day, end)))
        if not windows and not self.errors and not data.get("now"):
            raise forms.ValidationError("Give at least one window: a date, a start and an end.")
        data["windows"] = windows
        return data
