"""Who may do what: the platform's only permission rules.

Every view, template, admin action, export and task asks these functions; none decides on its
own. Rules deny by default and test one condition per line, so each line can be covered by a test.
Object rules answer False both for "no such object" and "not yours": views turn that into a 404
where revealing existence would leak (another Party's reply), a 403 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.models import DelegationMembership, Invitation
    from consultation.models import Consultation, Response


@dataclass(frozen=True)
class Roles:
    """What a signed-in person is, loaded once per request."""

    authenticated: bool = False
    party_id: int | None = None
    is_member: bool = False
    is_head: bool = False
    is_secretariat: bool = False
    is_committee: bool = False
    is_admin: bool = False
    organisation_id: int | None = None
    is_stakeholder: bool = False
    is_facilitator: bool = False

    @property
    def has_delegation(self) -> bool:
        return self.party_id is not None


ANONYMOUS = Roles()


def roles_of(user: Any) -> Roles:
    """The person's roles, cached on the user object so a page asks the database once."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    if not user.is_active:
        return ANONYMOUS
    cached: Roles | None = getattr(user, "_lanzarote_roles", None)
    if cached is not None:
        return cached
    from accounts.models import DelegationMembership, DelegationRole, GlobalRole, OrganisationMembership, RoleAssignment

    membership = DelegationMembership.objects.filter(user_id=user.pk).values("party_id", "role").first()
    global_roles = set(RoleAssignment.objects.filter(user_id=user.pk).values_list("role", flat=True))
    organisation_id = None
    if GlobalRole.STAKEHOLDER in global_roles:  # only stakeholders pay for this query
        organisation_id = (
            OrganisationMembership.objects.filter(user_id=user.pk).values_list("organisation_id", flat=True).first()
        )
    roles = Roles(
        authenticated=True,
        party_id=membership["party_id"] if membership else None,
        is_member=membership is not None,
        is_head=bool(membership and membership["role"] == DelegationRole.HEAD),
        is_secretariat=GlobalRole.SECRETARIAT in global_roles,
        is_committee=GlobalRole.COMMITTEE in global_roles,
        is_admin=bool(user.is_superuser),
        organisation_id=organisation_id,
        is_stakeholder=organisation_id is not None,
        is_facilitator=GlobalRole.FACILITATOR in global_roles,
    )
    user._lanzarote_roles = roles
    return roles


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a membership or role change in the same request."""
    if hasattr(user, "_lanzarote_roles"):
        del user._lanzarote_roles


def requires_mfa(user: Any) -> bool:
    """Secretariat, heads of delegation and administrators must use a second factor."""
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if roles.is_secretariat:
        return True
    if roles.is_head:
        return True
    if roles.is_admin:
        return True
    if getattr(user, "is_staff", False):
        return True
    return False


# --- Consultations -----------------------------------------------------------------------------


def can_view_consultation(user: Any, consultation: Consultation) -> bool:
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if roles.is_secretariat:
        return True
    if consultation.status == "draft":
        return False
    if roles.has_delegation:
        return True
    if roles.is_committee:
        return True
    return False


def can_manage_consultations(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_view_state_of_play(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_export_answers(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_send_reminders(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_run_lifecycle_admin_actions(user: Any) -> bool:
    """Open, close, archive, duplicate and extend from the Django admin: the Secretariat and administrators."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_admin:
        return True
    return False


# --- Replies -----------------------------------------------------------------------------------


def is_own_party(user: Any, party_id: int) -> bool:
    roles = roles_of(user)
    if not roles.has_delegation:
        return False
    return roles.party_id == party_id


def can_view_response(user: Any, response: Response) -> bool:
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if roles.is_secretariat:
        return True
    if is_own_party(user, response.party_id):
        return True
    if not roles.is_committee:
        return False
    return response.status == "submitted"


def can_edit_response(user: Any, response: Response) -> bool:
    """The person's own Party's reply, while it is not locked. The lock (consultation closed, reply submitted,
    deadline passed) has one definition, ``reply_lock_reason``, which the services enforce and the pages explain."""
    from consultation.services.answers import reply_lock_reason

    if not is_own_party(user, response.party_id):
        return False
    return reply_lock_reason(response=response) is None


def can_mark_ready(user: Any, response: Response) -> bool:
    if not can_edit_response(user, response):
        return False
    return response.status in ("draft", "reopened")


def can_submit_response(user: Any, response: Response) -> bool:
    if not can_edit_response(user, response):
        return False
    if not roles_of(user).is_head:
        return False
    return True


def can_view_receipt(user: Any, response: Response) -> bool:
    """The receipt of an official submission: the Party's own delegation (head and members), nobody else."""
    if not roles_of(user).has_delegation:
        return False
    return is_own_party(user, response.party_id)


def can_reopen_response(user: Any, response: Response) -> bool:
    if not roles_of(user).is_secretariat:
        return False
    return response.status == "submitted"


def can_extend_deadline(user: Any, response: Response) -> bool:
    if not roles_of(user).is_secretariat:
        return False
    return response.status != "submitted"


# --- Accounts ------------------------------------------------------------------------------------


def can_invite(user: Any, *, role: str, party_id: int | None) -> bool:
    """Secretariat invites heads (and Secretariat/Committee); a head invites members of their Party."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return role in ("head", "member", "secretariat", "committee", "stakeholder", "facilitator")
    if not roles.is_head:
        return False
    if role != "member":
        return False
    if party_id is None:
        return False
    return party_id == roles.party_id


def can_view_invitations(user: Any) -> bool:
    """The invitations page: the Secretariat, and heads of delegation for their own Party."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_head:
        return True
    return False


def can_revoke_invitation(user: Any, invitation: Invitation) -> bool:
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if roles.is_secretariat:
        return True
    if not roles.is_head:
        return False
    if invitation.party_id != roles.party_id:
        return False
    return invitation.role == "member"


def can_remove_member(user: Any, membership: DelegationMembership) -> bool:
    """A head removes members of their own Party (never a head, never themselves); the Secretariat anyone."""
    roles = roles_of(user)
    if not roles.authenticated:
        return False
    if roles.is_secretariat:
        return True
    if not roles.is_head:
        return False
    if membership.party_id != roles.party_id:
        return False
    if membership.user_id == user.pk:
        return False
    return membership.role == "member"


def can_view_audit_log(user: Any) -> bool:
    return roles_of(user).is_secretariat


# --- Reports -------------------------------------------------------------------------------------


def can_run_reports(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_publish_reports(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_view_reports_index(user: Any) -> bool:
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_committee:
        return True
    return False


def can_view_report_version(user: Any, *, published: bool) -> bool:
    """Drafts of reports are Secretariat-only; the Committee reads published versions."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if not roles.is_committee:
        return False
    return published


# --- Enforcement ---------------------------------------------------------------------------------


def denial_record(request: Any, *, reason: str, obj: Any = None) -> None:
    """Record a refused request (who, what, where, when), for views that answer it with a page of their own."""
    from accounts.services import audit_record

    audit_record(
        event_type="access.denied",
        actor=getattr(request, "user", None),
        object_repr=(f"{obj._meta.label}:{obj.pk}" if hasattr(obj, "_meta") else str(obj or ""))[:255],
        request=request,
        extra={"reason": reason, "method": request.method},
    )


def deny(request: Any, *, reason: str, obj: Any = None, leak_safe: bool = True) -> None:
    """Record a refused request and stop it.

    ``leak_safe=True`` answers 404, for objects whose very existence must not be revealed to the
    person (another Party's reply); ``False`` answers 403.
    """
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    denial_record(request, reason=reason, obj=obj)
    if leak_safe:
        raise Http404(reason)
    raise PermissionDenied(reason)


def require(request: Any, allowed: bool, *, reason: str, obj: Any = None, leak_safe: bool = True) -> None:
    """``deny`` unless ``allowed``; views call it with one of the rules above."""
    if not allowed:
        deny(request, reason=reason, obj=obj, leak_safe=leak_safe)


# --- Delegation workspace (consultation.views.workspace) ------------------------------------------


def can_open_reply(user: Any, consultation: Consultation) -> bool:
    """The delegation's reply pages: a delegation member or head, for a consultation they can see.

    The reply shown is always the person's own Party's; the Secretariat and the Committee have no
    Party and use their own pages.
    """
    if not roles_of(user).has_delegation:
        return False
    if not can_view_consultation(user, consultation):
        return False
    return True


def can_download_attachment(user: Any, attachment: Any) -> bool:
    """A document attached to an answer: whoever may read that reply."""
    return can_view_response(user, attachment.answer.response)


def can_view_article(user: Any) -> bool:
    """The short article pages (Convention text references): any signed-in person."""
    return roles_of(user).authenticated


# --- The delegation's teamwork: assignments, internal comments, presence ------------------------------
# Internal to the delegation: the Secretariat, the Committee and other delegations never see any of it (a
# Committee member who heads a delegation sees their own delegation's, as its head).


def can_view_teamwork(user: Any, response: Response) -> bool:
    """Who answers which item, the internal comments and who is editing: the reply's own delegation only."""
    roles = roles_of(user)
    if not roles.has_delegation:
        return False
    return roles.party_id == response.party_id


def can_assign_items(user: Any, response: Response) -> bool:
    """Assign items, set their due date and internal status: any member of the delegation (head or member),
    while the reply can be edited."""
    if not can_view_teamwork(user, response):
        return False
    return can_edit_response(user, response)


def can_be_assigned(person: Any, response: Response) -> bool:
    """Who an item can be assigned to: an active member (or head) of the reply's own delegation."""
    if person is None:
        return False
    if not getattr(person, "is_active", False):
        return False
    return roles_of(person).party_id == response.party_id


def can_comment_item(user: Any, response: Response) -> bool:
    """Write internal comments on the reply's items: its delegation, also after submission (to prepare a
    correction)."""
    return can_view_teamwork(user, response)


def can_resolve_comment(user: Any, comment: Any) -> bool:
    """Resolve (or reopen) an internal comment: any member of the delegation whose reply it is on."""
    return can_view_teamwork(user, comment.response)


def can_signal_presence(user: Any, response: Response) -> bool:
    """Say "I am editing this question" to colleagues: whoever may edit the reply."""
    if not can_view_teamwork(user, response):
        return False
    return can_edit_response(user, response)


# --- Monitoring: rapporteurs, codings, observations, recommendations (monitoring app) ----------------
# ``accounts`` never imports ``monitoring``: whether the person is rapporteur of an item is read by the caller
# (``monitoring.selectors.assignments``) and passed in.


def can_use_analysis(user: Any) -> bool:
    """The Analysis pages (submitted replies, codings, draft observations and recommendations): the Committee and
    the Secretariat; delegations never."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_committee:
        return True
    return False


def can_code_item(user: Any, *, is_rapporteur: bool) -> bool:
    """Code an item's replies, write its observations, mark its coding final: its rapporteurs only."""
    roles = roles_of(user)
    if not roles.is_committee:
        return False
    if not is_rapporteur:
        return False
    return True


def can_set_coding_final(user: Any, *, is_rapporteur: bool, final: bool) -> bool:
    """Mark an item's coding final: its rapporteurs. Reopen it: its rapporteurs, or the Secretariat (a final
    coding the Committee wants revisited, or a rapporteur who left)."""
    roles = roles_of(user)
    if not final and roles.is_secretariat:
        return True
    return can_code_item(user, is_rapporteur=is_rapporteur)


def can_build_implementation_report(user: Any, *, is_rapporteur: bool) -> bool:
    """Request a build of the consultation's implementation report: the Secretariat and its rapporteurs."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if not roles.is_committee:
        return False
    return is_rapporteur


def can_comment_observations(user: Any) -> bool:
    """Comment on an item's observations: Committee members."""
    return roles_of(user).is_committee


def can_manage_rapporteurs(user: Any) -> bool:
    """Assign rapporteurs and follow each item's status: the Secretariat."""
    return roles_of(user).is_secretariat


def can_edit_codebook(user: Any, *, is_rapporteur: bool) -> bool:
    """Add codes and groups: the Secretariat, and the consultation's rapporteurs."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if not roles.is_committee:
        return False
    return is_rapporteur


def can_import_codebook(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_draft_recommendation(user: Any, *, is_rapporteur: bool) -> bool:
    """Create, edit and propose recommendations: the Secretariat and the consultation's rapporteurs."""
    return can_edit_codebook(user, is_rapporteur=is_rapporteur)


def can_decide_recommendation(user: Any) -> bool:
    """Record the Committee's adoption (meeting, date) or a withdrawal: the Secretariat."""
    return roles_of(user).is_secretariat


# --- Publication and the public site --------------------------------------------------------------
# The public site needs no log-in: anyone, signed in or not, reads what the Secretariat published and nothing
# else. What is published is decided per object (a version not withdrawn, a document released by its Party, a
# report version published with the classification "public"); everything else answers 404 so its existence
# does not leak.


def can_manage_publication(user: Any) -> bool:
    return roles_of(user).is_secretariat


def can_view_public_site(user: Any) -> bool:
    return True


def can_view_published_reply(user: Any, *, published: bool, withdrawn: bool) -> bool:
    if not published:
        return False
    if withdrawn:
        return False
    return True


def can_view_published_item(user: Any, *, published_answers: int) -> bool:
    if published_answers < 1:
        return False
    return True


def can_download_public_report(
    user: Any, *, published: bool, withdrawn: bool, audience: str, classification: str
) -> bool:
    """A report edition on the public site: a public build (published replies only), published, not withdrawn."""
    if not published:
        return False
    if withdrawn:
        return False
    if audience != "public":
        return False
    if classification != "public":
        return False
    return True


# --- Other stakeholders and children's participation ----------------------------------------------
# Organisations comment on submitted replies only (never drafts) while their invitation to the consultation is
# open; what they write reaches the Party concerned, the Committee and, once the Secretariat decides, the public.


def can_use_stakeholder_area(user: Any) -> bool:
    return roles_of(user).is_stakeholder


def can_comment_as_stakeholder(user: Any, *, invited: bool, open_for_comments: bool) -> bool:
    """Write or submit comments and the organisation's own reply: invited to the consultation, before its deadline."""
    roles = roles_of(user)
    if not roles.is_stakeholder:
        return False
    if not invited:
        return False
    return open_for_comments


def can_read_replies_as_stakeholder(user: Any, *, invited: bool) -> bool:
    """Submitted replies of the Parties, for the organisations invited to the consultation."""
    roles = roles_of(user)
    if not roles.is_stakeholder:
        return False
    return invited


def can_read_comments_on_party(user: Any, *, party_id: int) -> bool:
    """Stakeholder comments on a Party's reply: that Party's delegation, the Secretariat and the Committee."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_committee:
        return True
    if not roles.has_delegation:
        return False
    return roles.party_id == party_id


def can_read_stakeholder_contributions(user: Any) -> bool:
    """Every organisation's comments and replies and the children's contributions: Secretariat and Committee."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    return roles.is_committee


def can_manage_stakeholders(user: Any) -> bool:
    """Invite organisations, set their deadline, publish or withdraw what they sent."""
    return roles_of(user).is_secretariat


def can_record_children_contributions(user: Any) -> bool:
    return roles_of(user).is_facilitator


def can_edit_children_contribution(user: Any, contribution: Any) -> bool:
    """The facilitator who entered a group's contribution changes it; nobody else does."""
    roles = roles_of(user)
    if not roles.is_facilitator:
        return False
    return bool(contribution.facilitator_id == user.pk)


# --- Follow-up and compliance (followup app) -----------------------------------------------------------------
# Whether the person is rapporteur in the consultation is read by the caller (``monitoring.selectors``).


def can_view_follow_up(user: Any) -> bool:
    """The follow-up of recommendations, the compliance grid and reports, and the comparison of rounds: the
    Committee and the Secretariat; delegations never (they answer the follow-up round in their workspace)."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if roles.is_committee:
        return True
    return False


def can_generate_follow_up(user: Any) -> bool:
    """Generate the follow-up round from the adopted recommendations: the Secretariat."""
    return roles_of(user).is_secretariat


def can_assess_compliance(user: Any, *, is_rapporteur: bool) -> bool:
    """Record a compliance assessment: the Secretariat, and the consultation's rapporteurs."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return True
    if not roles.is_committee:
        return False
    return is_rapporteur
