import zoneinfo

from django import forms
from django.utils import timezone

from rubrics.selectors import problem_list

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def _valid_zone(value: str) -> str:
    return value if value in zoneinfo.available_timezones() else "UTC"


def public_name_field() -> forms.CharField:
    return forms.CharField(
        max_length=60,
        required=False,
        label="Public name",
        help_text="What peers see. Your email address is never shown to them.",
    )


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
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, help_text="Times on Mocklane are shown in this zone.")


class ScheduleForm(forms.Form):
    problem = forms.ModelChoiceField(
        queryset=problem_list(), empty_label=None, help_text="The case the candidate will design."
    )
    scheduled_at = forms.DateTimeField(
        label="Start time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone; your peer sees it in theirs.",
    )
    duration_minutes = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        initial=60,
        choices=[(45, "45 minutes"), (60, "60 minutes"), (75, "75 minutes"), (90, "90 minutes")],
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
        if not self.is_bound:
            start = timezone.localtime() + timezone.timedelta(days=1)
            self.initial.setdefault("scheduled_at", start.replace(minute=0, second=0, microsecond=0))
