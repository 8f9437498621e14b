"""How a page that opens sealed data answers: the identity reveal page and
the moderators' breakdown of an incident's witnesses by community.

Both ask for a reason and the password again; wrong passwords count
towards one lock (reveal_throttle), under which no password is checked, not
even the right one; what was opened is rendered in the response to the POST
that asked for it and nowhere else, and the response sends no referrer
onwards (the views are also never_cache). One protocol, so that a fix to
it reaches both pages."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from testimonies.vault.reveal_throttle import (
    reveal_cool_off_minutes,
    reveal_failure,
    reveal_locked,
    reveal_reset,
)


def sealed_page_render(request, template, context, *, status=200):
    """`template` with `context`, the lock's cool-off, and no referrer."""
    response = render(
        request,
        template,
        {**context, "cool_off_minutes": reveal_cool_off_minutes()},
        status=status,
    )
    # Keeps the page's address (and that something was opened) from any site
    # a link leads to.
    response["Referrer-Policy"] = "no-referrer"
    return response


def sealed_page_answer(request, *, form_class, page, open_sealed):
    """The answer to a GET or POST of a sealed page.

    `page(form, shown=None, locked=False, status=200)` renders it;
    `open_sealed(reason)` opens and audits what the page shows (a
    ValidationError, such as a reason naming a witness, is shown on the
    form and opens nothing)."""
    user = request.user
    if request.method != "POST":
        return page(form_class(user=user))
    if reveal_locked(user):
        # No password is checked while locked: not even the right one.
        return page(form_class(user=user), locked=True, status=429)
    form = form_class(request.POST, user=user)
    if not form.is_valid():
        if form.wrong_password and reveal_failure(user):
            return page(form_class(user=user), locked=True, status=429)
        return page(form)
    reveal_reset(user)
    try:
        shown = open_sealed(form.cleaned_data["reason"])
    except ValidationError as error:
        form.add_error(None, error)
        return page(form)
    return page(form, shown=shown)
