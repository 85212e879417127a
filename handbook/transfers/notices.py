"""What the transfers app tells people through the notifications app: the receiving side that a
letter is on its way, the sending side how it was decided, and the member each step of their own
letter. Each notice has an event key, so nobody gets the same one twice."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handbook.notifications import services as notifications

from .models import Transfer

#: Roles whose holders on a cell, or on the committee directly above it, handle its transfers.
HANDLERS = ("cell_secretary", "committee_staff")


def register() -> None:
    notifications.register_kind(
        "transfer.incoming",
        title=lambda p: _("Transfer letter on its way: %(member)s") % p,
        body=lambda p: _("From %(from)s to %(to)s; to be presented by %(present_by)s.") % p,
        label=gettext_lazy("Transfer letters coming to my cells"),
    )
    notifications.register_kind(
        "transfer.decided",
        title=lambda p: (
            (_("Transfer accepted: %(member)s") if p["accepted"] else _("Transfer returned: %(member)s")) % p
        ),
        body=lambda p: (_("Accepted by %(to)s.") if p["accepted"] else _("%(to)s returned it: %(reason)s")) % p,
        label=gettext_lazy("Decisions on transfers my cells sent"),
    )
    notifications.register_kind(
        "transfer.withdrawn",
        title=lambda p: _("Transfer letter no longer valid: %(member)s") % p,
        body=lambda p: (
            _("The sending committee cancelled it.")
            if p["step"] == "cancelled"
            else _("It was not presented by %(present_by)s.") % p
        ),
        label=gettext_lazy("Transfer letters to my cells that were cancelled or expired"),
    )
    notifications.register_kind(
        "transfer.mine",
        title=lambda p: (
            {
                "issued": _("Your transfer letter %(number)s was issued"),
                "accepted": _("Your transfer was accepted"),
                "returned": _("Your transfer letter was returned"),
                "cancelled": _("Your transfer letter %(number)s was cancelled"),
                "expired": _("Your transfer letter %(number)s has expired"),
            }[p["step"]]
            % p
        ),
        body=lambda p: (
            {
                "issued": _("Present it to %(to)s by %(present_by)s."),
                "accepted": _("You now take part in %(to)s."),
                "returned": _("%(to)s returned it: %(reason)s"),
                "cancelled": _("You stay in %(from)s."),
                "expired": _("It was not presented by %(present_by)s. You stay in %(from)s."),
            }[p["step"]]
            % p
        ),
        label=gettext_lazy("My transfer letters"),
    )
    notifications.register_recipients("transfer.handlers", _handlers)


def _handlers(organization_id: int, except_user_id: int | None = None, member_id: int | None = None) -> list[int]:
    """Who handles a cell's transfers: holders of a handling role on the cell itself and on the
    nearest committee above it that has any (the grassroots committee, or higher where a level has
    nobody), active users only, except the user who took the step and the transferred member (who
    is told as the member)."""
    from handbook.accounts.models import RoleGrant, User
    from handbook.organizations.models import Organization

    cell = Organization.objects.get(pk=organization_id)
    grants = RoleGrant.objects.filter(
        organization__in=Organization.objects.filter(pk=cell.pk) | Organization.objects.get_ancestors(cell),
        role__in=HANDLERS,
        revoked_at__isnull=True,
        user__is_active=True,
    ).values_list("organization__depth", "user_id")
    by_depth: dict[int, set[int]] = {}
    for depth, user_id in grants:
        by_depth.setdefault(depth, set()).add(user_id)
    users = set(by_depth.pop(cell.depth, set()))
    if by_depth:
        users |= by_depth[max(by_depth)]
    users.discard(except_user_id)
    users -= set(User.objects.filter(member_id=member_id).values_list("pk", flat=True)) if member_id else set()
    return sorted(users)


def _params(transfer: Transfer, **extra) -> dict:
    return {
        "member": transfer.member.full_name[:150],
        "number": transfer.letter_number,
        "from": transfer.from_organization.name[:200],
        "to": transfer.to_organization.name[:200],
        "present_by": transfer.present_by.strftime("%d/%m/%Y"),
        "reason": transfer.reason or "",
        **extra,
    }


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def _tell_member(transfer: Transfer, step: str, actor) -> None:
    from handbook.accounts.models import User

    member_users = User.objects.filter(member_id=transfer.member_id, is_active=True).exclude(pk=_actor_id(actor))
    user_ids = list(member_users.values_list("pk", flat=True))
    if user_ids:
        notifications.notify(
            "transfer.mine",
            f"transfer:{transfer.pk}:{step}:member",
            users=user_ids,
            params=_params(transfer, step=step),
            url=f"/transfers/{transfer.pk}/",
        )


def _tell_handlers(kind: str, transfer: Transfer, step: str, organization_id: int, actor, **params) -> None:
    notifications.notify(
        kind,
        f"transfer:{transfer.pk}:{step}",
        recipients=(
            "transfer.handlers",
            {"organization_id": organization_id, "except_user_id": _actor_id(actor), "member_id": transfer.member_id},
        ),
        params=_params(transfer, step=step, **params),
        url=f"/transfers/{transfer.pk}/",
    )


def issued(transfer: Transfer, actor) -> None:
    """The receiving side and the member are told."""
    _tell_handlers("transfer.incoming", transfer, "issued", transfer.to_organization_id, actor)
    _tell_member(transfer, "issued", actor)


def decided(transfer: Transfer, actor) -> None:
    """Accepted or returned: the sending side and the member are told."""
    accepted = transfer.state == Transfer.State.ACCEPTED
    step = "accepted" if accepted else "returned"
    _tell_handlers("transfer.decided", transfer, step, transfer.from_organization_id, actor, accepted=accepted)
    _tell_member(transfer, step, actor)


def withdrawn(transfer: Transfer, actor) -> None:
    """Cancelled or expired before it was presented: the receiving side stops waiting; the member
    is told they stay."""
    step = "cancelled" if transfer.state == Transfer.State.CANCELLED else "expired"
    _tell_handlers("transfer.withdrawn", transfer, step, transfer.to_organization_id, actor)
    _tell_member(transfer, step, actor)
