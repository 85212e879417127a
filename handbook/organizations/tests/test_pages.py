from handbook.audit.models import AuditEvent, EventType
from handbook.organizations.models import Organization


def test_a_merge_form_shows_its_impact_before_confirming(client_for, w):
    client = client_for("province")
    preview = client.post(f"/org/{w.a2.pk}/merge/", {"target": w.a1.pk})
    assert preview.status_code == 200
    impact = preview.context["impact"]
    assert (impact.organizations, impact.cells, impact.members) == (1, 1, 3)
    assert "1 cells" in preview.content.decode() or "1 chi bộ" in preview.content.decode()
    assert Organization.objects.get(pk=w.a2.pk).is_active  # nothing happened yet
    done = client.post(f"/org/{w.a2.pk}/merge/", {"target": w.a1.pk, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"/org/{w.a1.pk}/"
    assert Organization.objects.get(pk=w.a2a.pk).parent_id == w.a1.pk
    assert AuditEvent.objects.filter(event_type=EventType.ORGANIZATION_MERGED, actor=w.users["province"]).exists()


def test_the_merge_form_offers_no_target_outside_scope(client_for, w):
    form = client_for("province").get(f"/org/{w.a2.pk}/merge/").context["form"]
    targets = set(form.fields["target"].queryset.values_list("pk", flat=True))
    assert w.a1.pk in targets and w.b1.pk not in targets
    response = client_for("province").post(f"/org/{w.a2.pk}/merge/", {"target": w.b1.pk, "confirm": "1"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Organization.objects.get(pk=w.a2.pk).is_active


def test_a_split_form_previews_and_creates_the_new_cell(client_for, w):
    client = client_for("commune")
    data = {"name": "Chi bộ A1c", "members": [str(w.other_member.pk)]}
    preview = client.post(f"/org/{w.a1a.pk}/split/", data)
    assert preview.context["impact"].members == 1
    done = client.post(f"/org/{w.a1a.pk}/split/", {**data, "confirm": "1"})
    new = Organization.objects.get(name="Chi bộ A1c")
    assert done["Location"] == f"/org/{new.pk}/"


def test_a_move_page_refuses_a_forbidden_move_with_a_message(client_for, w):
    # Moving a commune under another commune is not offered, and a forged post is refused.
    response = client_for("province").post(f"/org/{w.a1.pk}/move/", {"target": w.a2.pk, "confirm": "1"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Organization.objects.get(pk=w.a1.pk).parent_id == w.a.pk


def test_dissolving_a_non_empty_cell_shows_why_and_changes_nothing(client_for, w):
    response = client_for("commune").post(f"/org/{w.a1b.pk}/dissolve/")
    assert response.status_code == 200
    assert any("members" in str(m) or "đảng viên" in str(m) for m in response.context["messages"])
    assert Organization.objects.get(pk=w.a1b.pk).is_active


def test_the_organisation_page_shows_counts_children_and_officials(client_for, w):
    page = client_for("province").get(f"/org/{w.a1.pk}/")
    assert page.context["member_total"] == 6
    kids = {k.name: k for k in page.context["kids"]}
    assert kids["Chi bộ A1a"].member_count == 4 and kids["Chi bộ A1b"].is_small_cell
    assert [g.user.username for g in page.context["grants"]] == ["commune"]


def test_organisation_search_ignores_diacritics_and_scope(client_for, w):
    assert [o.name for o in client_for("province").get("/org/", {"q": "chi bo a1"}).context["results"]] == [
        "Chi bộ A1a",
        "Chi bộ A1b",
    ]
    assert client_for("outsider").get("/org/", {"q": "chi bo a1"}).context["results"] == []


def test_a_member_sees_their_cell_but_not_the_member_list(client_for, w):
    page = client_for("member").get(f"/org/{w.a1a.pk}/")
    assert page.status_code == 200 and page.context["members_page"] is None
    assert [c.visible for c in page.context["breadcrumb"]] == [False, False, False]


def test_move_candidates_are_the_nearby_allowed_parents(client_for, w):
    form = client_for("admin").get(f"/org/{w.a1a.pk}/move/").context["form"]
    assert list(form.fields["target"].queryset) == [w.a2]  # not its own commune, not another province's
    form = client_for("admin").get(f"/org/{w.a1.pk}/move/").context["form"]
    assert list(form.fields["target"].queryset) == [w.b]
