"""The work lists' filter form (read from the URL, GET) and the queue's
batch action form (POST)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from testimonies.core.models import Language
from testimonies.models import Place
from testimonies.moderation.filters import (
    ASSIGNED_TO_ME,
    ASSIGNED_TO_NOBODY,
    MINE_ORDERS,
    MINE_STATES,
    ORDERS,
    QUEUE_DEFAULT_STATE,
    QUEUE_ORDERS,
    QUEUE_STATES,
    WAITED_DAYS,
)

ANY = ("", _("Any"))


class PlaceChoiceField(forms.ModelChoiceField):
    """A place by slug, named in the interface's language and set under the
    places above it (the queryset comes in gazetteer order)."""

    def label_from_instance(self, place):
        depth = max(len(place.ancestor_slugs) - 1, 0)
        return "\u2003" * depth + place.label


class WorklistFilterForm(forms.Form):
    """Filters of a work list, all optional. `places` are those the user may
    be offered (the caller's selector decides, through the policy), by
    slug; `documenters` and `moderators` are usernames (nothing sequential
    in the URL), left out of a documenter's own list."""

    state = forms.ChoiceField(label=_("State"), required=False)
    documenter = forms.ChoiceField(label=_("Documenter"), required=False)
    place = PlaceChoiceField(
        label=_("Place"),
        queryset=Place.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any"),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[ANY, *Language.choices], required=False
    )
    waited = forms.ChoiceField(
        label=_("Waiting for"),
        choices=[ANY, *WAITED_DAYS.items()],
        required=False,
    )
    assigned = forms.ChoiceField(label=_("Assigned to"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False)

    def __init__(self, data=None, *, places, documenters=None, moderators=None):
        super().__init__(data)
        self.for_queue = documenters is not None
        self.fields["place"].queryset = places
        if self.for_queue:
            states, orders = QUEUE_STATES, QUEUE_ORDERS
            self.fields["state"].choices = [(k, v[0]) for k, v in states.items()]
            self.fields["documenter"].choices = [ANY, *((u, u) for u in documenters)]
            self.fields["assigned"].choices = [
                ANY,
                (ASSIGNED_TO_ME, _("Me")),
                (ASSIGNED_TO_NOBODY, _("Nobody")),
                *((u, u) for u in moderators or ()),
            ]
        else:
            states, orders = MINE_STATES, MINE_ORDERS
            self.fields["state"].choices = [
                ANY,
                *((k, v[0]) for k, v in states.items()),
            ]
            del self.fields["documenter"]
            del self.fields["assigned"]
        self.fields["sort"].choices = [(key, ORDERS[key][0]) for key in orders]

    def clean_state(self):
        state = self.cleaned_data["state"]
        return state or (QUEUE_DEFAULT_STATE if self.for_queue else "")

    def filters(self) -> dict:
        """The filters that validated (an unknown value in a shared link
        filters nothing and is shown as an error beside its field)."""
        self.is_valid()
        return dict(self.cleaned_data)


# Batch actions on the queue. Approval is not one of them: each approval is
# a decision on one witness's consent, taken on its review page.
SEND_BACK = "send_back"
ASSIGN = "assign"
UNASSIGN = "unassign"


class QueueBatchForm(forms.Form):
    """Several testimonies (their public ids) and one action on them."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ASSIGN, _("Assign to")),
            (UNASSIGN, _("Take back the assignment")),
            (SEND_BACK, _("Send back with the comment")),
        ],
    )
    testimonies = forms.MultipleChoiceField(label=_("Testimonies"))
    moderator = forms.ChoiceField(label=_("Moderator"), required=False)
    comment = forms.CharField(
        label=_("Comment to the documenters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    def __init__(self, data=None, *, moderators, user):
        super().__init__(data)
        self.fields["moderator"].choices = [
            (user.get_username(), _("Me")),
            *((u, u) for u in moderators if u != user.get_username()),
        ]
        # Any identifier is accepted here: each is looked up and asked of the
        # policy by the service, which reports those it could not act on.
        self.fields["testimonies"].choices = [
            (value, value) for value in (data.getlist("testimonies") if data else ())
        ]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == SEND_BACK and not (cleaned.get("comment") or "").strip():
            self.add_error(
                "comment",
                forms.ValidationError(_("Say what needs to change."), "required"),
            )
        if action == ASSIGN and not cleaned.get("moderator"):
            self.add_error(
                "moderator",
                forms.ValidationError(_("Choose a moderator."), "required"),
            )
        return cleaned

    def moderator_account(self):
        """The account chosen to assign to (one of the moderators offered)."""
        return get_user_model().objects.get(username=self.cleaned_data["moderator"])
