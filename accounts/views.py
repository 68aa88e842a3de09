"""Invitation pages: invite, revoke, remove a member, and accept a link. Rules come from ``accounts.access``."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import perform_login
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.forms import AcceptExistingAccountForm, AcceptNewAccountForm, InvitationForm
from accounts.models import DelegationMembership, Invitation, User
from accounts.selectors.invitations import (
    InvitationInvalid,
    delegation_members_for,
    invitation_for_token,
    invitation_list_for,
    invitation_state,
)
from accounts.services import membership_remove
from accounts.services.invitations import (
    invitation_accept_existing,
    invitation_accept_existing_check,
    invitation_accept_new,
    invitation_create,
    invitation_revoke,
)

INVITATIONS_SHOWN = 200


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_view_invitations(request.user), reason="invitations", leak_safe=False)
    form = InvitationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                party=form.cleaned_data["party"],
                organisation=form.cleaned_data.get("organisation"),
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"].lower()}
            )
            return redirect("accounts:invitations")
    rows = [
        {"invitation": invitation, "state": invitation_state(invitation)}
        for invitation in invitation_list_for(user=request.user)[:INVITATIONS_SHOWN]
    ]
    members = list(delegation_members_for(user=request.user))
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "rows": rows, "members": members},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request, access.can_view_invitations(request.user), reason="invitations", leak_safe=False)
    invitation = Invitation.objects.filter(pk=pk).first()
    allowed = invitation is not None and access.can_revoke_invitation(request.user, invitation)
    access.require(request, allowed, reason="invitation.revoke", obj=invitation, leak_safe=True)
    try:
        invitation_revoke(invitation=invitation, acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("accounts:invitations")


@login_required
@require_POST
def member_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request, access.can_view_invitations(request.user), reason="members", leak_safe=False)
    membership = DelegationMembership.objects.select_related("user", "party").filter(pk=pk).first()
    allowed = membership is not None and access.can_remove_member(request.user, membership)
    access.require(request, allowed, reason="membership.remove", obj=membership, leak_safe=True)
    membership_remove(membership=membership, acting_user=request.user, request=request)
    messages.success(
        request, _("%(name)s no longer belongs to the delegation.") % {"name": membership.user.display_name}
    )
    return redirect("accounts:invitations")


# The invitation whose password step passed in this session, accepted once the log-in is complete.
INVITATION_AFTER_LOGIN_KEY = "accounts.invitation_after_login"


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: a name and a password for a new account, or the password of an existing one."""
    if not allauth_ratelimit.consume(request, app="allauth.account", action="invitation_accept", limit_get=True):
        return render(request, "accounts/invitation_invalid.html", {"reason": "ratelimited"}, status=429)
    try:
        invitation = invitation_for_token(token=token)
    except InvitationInvalid as error:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": error.code, "message": _error_text(error)},
            status=410 if error.code in ("expired", "revoked", "used") else 404,
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    accept_url = reverse("accounts:invitation_accept", args=[token])
    if request.user.is_authenticated and request.user != existing:
        # A friendly page explains to sign out first; the refusal is still recorded like any other.
        access.denial_record(request, reason="invitation.other_user", obj=invitation)
        return render(request, "accounts/invitation_invalid.html", {"reason": "other_user"}, status=403)
    if (
        existing is not None
        and request.user == existing
        and request.session.get(INVITATION_AFTER_LOGIN_KEY) == invitation.pk
    ):
        # Back from the log-in this page started, second factor included: only now is the invitation used.
        del request.session[INVITATION_AFTER_LOGIN_KEY]
        try:
            invitation_accept_existing(token=token, user=existing, request=request)
        except (ValidationError, InvitationInvalid) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The invitation is accepted: your account has its new role."))
        return redirect("home")
    context = {"invitation": invitation, "existing": existing}
    if existing is None:
        form = AcceptNewAccountForm(
            request.POST if request.method == "POST" else None,
            email=invitation.email,
            initial={"preferred_language": request.LANGUAGE_CODE},
        )
        if request.method == "POST" and form.is_valid():
            try:
                user = invitation_accept_new(
                    token=token,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                    preferred_language=form.cleaned_data["preferred_language"],
                    request=request,
                )
            except (ValidationError, InvitationInvalid) as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Welcome! Your account is ready."))
                return perform_login(request, user, redirect_url=reverse("home"))
    else:
        form = AcceptExistingAccountForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                # allauth's authenticate: the same per-account and per-IP limits on failures as the log-in page.
                user = get_account_adapter(request).authenticate(
                    request, email=existing.email, password=form.cleaned_data["password"]
                )
            except ValidationError as error:
                user = None
                form.add_error(None, error)
            if user is None and not form.non_field_errors():
                form.add_error("password", _("This password is not correct."))
            elif user is not None:
                # The password is right, but the log-in may still ask for the second factor: the role is granted
                # when the log-in completes and allauth sends the person back here (see above), not before.
                try:
                    invitation_accept_existing_check(token=token, user=user)
                except (ValidationError, InvitationInvalid) as error:
                    form.add_error(None, error)
                else:
                    request.session[INVITATION_AFTER_LOGIN_KEY] = invitation.pk
                    return perform_login(request, user, redirect_url=accept_url)
    context["form"] = form
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "accounts/invitation_accept.html", context, status=status)
