"""Pages of organisations, facilitators, the Party reading comments on its reply, and the Secretariat.

Thin: ask ``accounts.access``, call one service or selector, render. Refusals of services come back on the page
as messages (never a 500), and nothing is written when a service refuses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from consultation.models import Consultation, Item, Party

from .errors import StakeholderError
from .forms import (
    ChildrenContributionForm,
    CommentEditForm,
    CommentForm,
    OrganisationForm,
    StakeholderInvitationForm,
)
from .models import ChildrenContribution, StakeholderComment, StakeholderReply
from .selectors.stakeholders import (
    comments_on_party,
    contributions_overview,
    facilitator_contributions,
    invitation_of,
    invitations_of_organisation,
    organisation_comments_on,
    organisation_reply,
    parties_with_submitted_replies,
    party_submitted_reply,
)
from .services.children import children_contribution_delete, children_contribution_save
from .services.comments import (
    stakeholder_comment_delete,
    stakeholder_comment_publication_set,
    stakeholder_comment_save,
    stakeholder_comment_submit,
)
from .services.invitations import organisation_create, stakeholder_invitation_set
from .services.replies import stakeholder_answers_save, stakeholder_reply_publication_set, stakeholder_reply_submit

VISIBLE = ("open", "closed")


def _visible_consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug, status__in=VISIBLE)


def _stakeholder_consultation(request: HttpRequest, slug: str):
    """The consultation and the organisation's invitation to it (404 when not invited: existence not revealed)."""
    access.require(request, access.can_use_stakeholder_area(request.user), reason="stakeholder area", leak_safe=False)
    consultation = _visible_consultation(slug)
    invitation = invitation_of(consultation=consultation, organisation_id=access.roles_of(request.user).organisation_id)
    access.require(
        request,
        access.can_read_replies_as_stakeholder(request.user, invited=invitation is not None),
        reason="stakeholder consultation",
        obj=consultation,
    )
    return consultation, invitation


# --- Organisations ---------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_use_stakeholder_area(request.user), reason="stakeholder area", leak_safe=False)
    roles = access.roles_of(request.user)
    return render(
        request,
        "stakeholders/home.html",
        {"invitations": invitations_of_organisation(organisation_id=roles.organisation_id)},
    )


@login_required
@require_GET
def consultation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, invitation = _stakeholder_consultation(request, slug)
    roles = access.roles_of(request.user)
    reply, answers = organisation_reply(consultation=consultation, organisation_id=roles.organisation_id)
    return render(
        request,
        "stakeholders/consultation.html",
        {
            "consultation": consultation,
            "invitation": invitation,
            "parties": parties_with_submitted_replies(consultation=consultation, organisation_id=roles.organisation_id),
            "reply": reply,
            "answered": len(answers),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_reply(request: HttpRequest, slug: str, iso2: str) -> HttpResponse:
    consultation, invitation = _stakeholder_consultation(request, slug)
    party = get_object_or_404(Party, iso2=iso2.upper())
    document = party_submitted_reply(consultation=consultation, party=party)
    access.require(request, document is not None, reason="no submitted reply", obj=party)
    initial = {"language": get_language()[:2], "item": request.GET.get("item") or None}
    form = CommentForm(request.POST or None, consultation=consultation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            stakeholder_comment_save(
                consultation=consultation,
                party=party,
                item=form.cleaned_data["item"],
                text=form.cleaned_data["text"],
                language=form.cleaned_data["language"],
                user=request.user,
                request=request,
            )
        except StakeholderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Comment saved as a draft. Submit it when it is final."))
            return redirect(request.path + "#own-comments")
    comments = organisation_comments_on(
        consultation=consultation, organisation_id=access.roles_of(request.user).organisation_id, party=party
    )
    return render(
        request,
        "stakeholders/party_reply.html",
        {
            "consultation": consultation,
            "invitation": invitation,
            "party": party,
            "document": document,
            "form": form,
            "comments": comments,
            "may_write": invitation is not None and invitation.is_open(),
        },
        status=422 if request.method == "POST" else 200,
    )


def _own_comment(request: HttpRequest, slug: str, pk: int) -> StakeholderComment:
    consultation, _invitation = _stakeholder_consultation(request, slug)
    return get_object_or_404(
        StakeholderComment.objects.select_related("party", "consultation"),
        pk=pk,
        consultation=consultation,
        organisation_id=access.roles_of(request.user).organisation_id,
    )


def _back_to_party(comment: StakeholderComment) -> str:
    return (
        reverse("stakeholders:party_reply", kwargs={"slug": comment.consultation.slug, "iso2": comment.party.iso2})
        + "#own-comments"
    )


@login_required
@require_POST
def comment_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    comment = _own_comment(request, slug, pk)
    form = CommentEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_back_to_party(comment))
    try:
        stakeholder_comment_save(
            consultation=comment.consultation,
            party=comment.party,
            item=comment.item,
            text=form.cleaned_data["text"],
            language=form.cleaned_data["language"],
            user=request.user,
            comment=comment,
            request=request,
        )
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Comment saved."))
    return redirect(_back_to_party(comment))


@login_required
@require_POST
def comment_submit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    comment = _own_comment(request, slug, pk)
    try:
        stakeholder_comment_submit(comment=comment, user=request.user, request=request)
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Comment submitted. It is transmitted to the delegation of %(party)s and to the Committee.")
            % {"party": comment.party.name},
        )
    return redirect(_back_to_party(comment))


@login_required
@require_POST
def comment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    comment = _own_comment(request, slug, pk)
    target = _back_to_party(comment)
    try:
        stakeholder_comment_delete(comment=comment, user=request.user, request=request)
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Draft comment deleted."))
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, invitation = _stakeholder_consultation(request, slug)
    roles = access.roles_of(request.user)
    items = list(Item.objects.filter(consultation=consultation).select_related("theme").order_by("order", "code"))
    status = 200
    if request.method == "POST":
        texts = {item.pk: request.POST.get(f"item-{item.pk}", "") for item in items}
        language = request.POST.get("language") if request.POST.get("language") in ("en", "fr") else get_language()[:2]
        try:
            stakeholder_answers_save(
                consultation=consultation, texts=texts, language=language, user=request.user, request=request
            )
        except StakeholderError as error:
            messages.error(request, str(error))
            status = 422
        else:
            messages.success(request, _("Your organisation's answers are saved."))
            return redirect("stakeholders:reply", slug=slug)
    current, answers = organisation_reply(consultation=consultation, organisation_id=roles.organisation_id)
    rows = [
        (
            item,
            request.POST.get(f"item-{item.pk}")
            if status == 422
            else (answers[item.pk].text if item.pk in answers else ""),
        )
        for item in items
    ]
    return render(
        request,
        "stakeholders/reply.html",
        {
            "consultation": consultation,
            "invitation": invitation,
            "reply": current,
            "rows": rows,
            "may_write": invitation is not None and invitation.is_open() and invitation.may_reply,
        },
        status=status,
    )


@login_required
@require_POST
def reply_submit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, _invitation = _stakeholder_consultation(request, slug)
    try:
        stakeholder_reply_submit(consultation=consultation, user=request.user, request=request)
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your organisation's reply is submitted to the Committee."))
    return redirect("stakeholders:reply", slug=slug)


# --- The Party concerned -------------------------------------------------------------------------------


@login_required
@require_GET
def party_comments(request: HttpRequest, slug: str) -> HttpResponse:
    """The comments organisations submitted on the viewer's own Party's reply."""
    roles = access.roles_of(request.user)
    access.require(request, roles.has_delegation, reason="delegation comments", leak_safe=False)
    consultation = _visible_consultation(slug)
    access.require(request, access.can_view_consultation(request.user, consultation), reason="consultation")
    party = get_object_or_404(Party, pk=roles.party_id)
    access.require(request, access.can_read_comments_on_party(request.user, party_id=party.pk), reason="comments")
    return render(
        request,
        "stakeholders/party_comments.html",
        {
            "consultation": consultation,
            "party": party,
            "comments": comments_on_party(consultation=consultation, party=party),
        },
    )


# --- Secretariat and Committee ----------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access.require(
        request, access.can_read_stakeholder_contributions(request.user), reason="stakeholders index", leak_safe=False
    )
    consultations = Consultation.objects.filter(status__in=("open", "closed", "archived")).order_by("-opens_on", "slug")
    return render(
        request,
        "stakeholders/index.html",
        {"consultations": consultations, "can_manage": access.can_manage_stakeholders(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contributions(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(
        request, access.can_read_stakeholder_contributions(request.user), reason="contributions", leak_safe=False
    )
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_view_consultation(request.user, consultation), reason="consultation")
    can_manage = access.can_manage_stakeholders(request.user)
    form = StakeholderInvitationForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        access.require(request, can_manage, reason="invite organisation", leak_safe=False)
        if form.is_valid():
            try:
                stakeholder_invitation_set(
                    consultation=consultation,
                    organisation=form.cleaned_data["organisation"],
                    deadline=form.cleaned_data["deadline"],
                    may_reply=form.cleaned_data["may_reply"],
                    user=request.user,
                    request=request,
                )
            except StakeholderError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(organisation)s is invited until %(date)s.")
                    % {"organisation": form.cleaned_data["organisation"].name, "date": form.cleaned_data["deadline"]},
                )
                return redirect("stakeholders:contributions", slug=slug)
        status = 422
    return render(
        request,
        "stakeholders/contributions.html",
        {
            "consultation": consultation,
            "overview": contributions_overview(consultation=consultation),
            "form": form,
            "can_manage": can_manage,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_manage_stakeholders(request.user), reason="organisations", leak_safe=False)
    from accounts.models import Organisation

    form = OrganisationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                organisation_create(**form.cleaned_data, user=request.user, request=request)
            except StakeholderError as error:
                form.add_error("name", str(error))
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": form.cleaned_data["name"]})
                return redirect("stakeholders:organisations")
        status = 422
    return render(
        request,
        "stakeholders/organisations.html",
        {"form": form, "organisations": Organisation.objects.select_related("country").order_by("name")},
        status=status,
    )


@login_required
@require_POST
def comment_publication(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access.require(request, access.can_manage_stakeholders(request.user), reason="publish comment", leak_safe=False)
    comment = get_object_or_404(StakeholderComment, pk=pk, consultation__slug=slug)
    try:
        stakeholder_comment_publication_set(
            comment=comment, publish=request.POST.get("publish") == "1", user=request.user, request=request
        )
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Publication updated."))
    return redirect(reverse("stakeholders:contributions", kwargs={"slug": slug}) + "#comments")


@login_required
@require_POST
def reply_publication(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access.require(request, access.can_manage_stakeholders(request.user), reason="publish reply", leak_safe=False)
    reply = get_object_or_404(StakeholderReply, pk=pk, consultation__slug=slug)
    try:
        stakeholder_reply_publication_set(
            reply=reply, publish=request.POST.get("publish") == "1", user=request.user, request=request
        )
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Publication updated."))
    return redirect(reverse("stakeholders:contributions", kwargs={"slug": slug}) + "#replies")


# --- Facilitators ---------------------------------------------------------------------------------------


@login_required
@require_GET
def children_home(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_record_children_contributions(request.user), reason="children", leak_safe=False)
    consultations = Consultation.objects.filter(status="open").order_by("-opens_on", "slug")
    return render(request, "stakeholders/children_home.html", {"consultations": consultations})


def _facilitator_consultation(request: HttpRequest, slug: str) -> Consultation:
    access.require(request, access.can_record_children_contributions(request.user), reason="children", leak_safe=False)
    return _visible_consultation(slug)


def _save_contribution(request, consultation, form, contribution=None):
    try:
        children_contribution_save(
            consultation=consultation,
            contribution=contribution,
            user=request.user,
            request=request,
            **form.cleaned_data,
        )
    except StakeholderError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def children(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _facilitator_consultation(request, slug)
    form = ChildrenContributionForm(
        request.POST or None, consultation=consultation, initial={"language": get_language()[:2]}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save_contribution(request, consultation, form):
            messages.success(request, _("The group's contribution is recorded."))
            return redirect("stakeholders:children", slug=slug)
        status = 422
    return render(
        request,
        "stakeholders/children.html",
        {
            "consultation": consultation,
            "form": form,
            "contributions": facilitator_contributions(consultation=consultation, user=request.user),
        },
        status=status,
    )


def _own_contribution(request: HttpRequest, slug: str, pk: int) -> tuple[Consultation, ChildrenContribution]:
    consultation = _facilitator_consultation(request, slug)
    contribution = get_object_or_404(ChildrenContribution, pk=pk, consultation=consultation)
    access.require(
        request,
        access.can_edit_children_contribution(request.user, contribution),
        reason="contribution",
        obj=contribution,
    )
    return consultation, contribution


@login_required
@require_http_methods(["GET", "POST"])
def children_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation, contribution = _own_contribution(request, slug, pk)
    initial = {
        "theme": contribution.theme_id,
        "party": contribution.party_id,
        "age_band": contribution.age_band,
        "setting": contribution.setting,
        "children_count": contribution.children_count,
        "gathered_on": contribution.gathered_on,
        "views": contribution.views,
        "language": contribution.language,
    }
    form = ChildrenContributionForm(request.POST or None, consultation=consultation, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _save_contribution(request, consultation, form, contribution):
            messages.success(request, _("The group's contribution is updated."))
            return redirect("stakeholders:children", slug=slug)
        status = 422
    return render(
        request,
        "stakeholders/children_edit.html",
        {"consultation": consultation, "form": form, "contribution": contribution},
        status=status,
    )


@login_required
@require_POST
def children_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _consultation, contribution = _own_contribution(request, slug, pk)
    try:
        children_contribution_delete(contribution=contribution, user=request.user, request=request)
    except StakeholderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The contribution is deleted."))
    return redirect("stakeholders:children", slug=slug)
