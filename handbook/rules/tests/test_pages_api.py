import datetime
import json

from django.utils import timezone

from handbook.audit.models import AuditEvent, EventType
from handbook.rules import registry, rulebook
from handbook.rules.forms import field_name
from handbook.rules.models import RuleAssignment, RuleSet

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def default():
    return RuleSet.objects.get(is_default=True)


def form_data(**changes) -> dict:
    version = default().versions.order_by("-effective_from").first()
    data = {field_name(k): spec.type.as_text(version.values[k]) for k, spec in registry.REGISTRY.items()}
    data.update(changes)
    data.setdefault("effective_from", TOMORROW.isoformat())
    return data


def test_the_version_page_shows_readable_vietnamese_values(client_for, w):
    version = default().versions.first()
    html = client_for("member").get(f"/rules/versions/{version.pk}/").content.decode()
    assert "Quy định 2025" in html
    assert "ít nhất 2/3" in html  # "at least 2/3" in Vietnamese
    assert "khiển trách" in html  # reprimand
    assert "29/01/2025" in html  # Tết


def test_an_administrator_adds_a_version_through_the_generated_form(client_for, w):
    response = client_for("admin").post(
        f"/rules/{default().pk}/new-version/", form_data(probation__months="18", note="Quy định mới")
    )
    assert response.status_code == 302
    rs = rulebook.for_organization(w.a1a, on=TOMORROW)
    assert rs.value("probation.months") == 18
    assert rs.created_by == w.users["admin"]
    assert rulebook.for_organization(w.a1a).value("probation.months") == 12


def test_the_form_shows_the_problem_next_to_the_field(client_for, w):
    response = client_for("admin").post(
        f"/rules/{default().pk}/new-version/", form_data(admission__cell_vote_threshold="3/2")
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field_name("admission.cell_vote_threshold")]
    assert default().versions.count() == 1


def test_a_version_in_the_past_is_refused_on_the_form(client_for, w):
    response = client_for("admin").post(f"/rules/{default().pk}/new-version/", form_data(effective_from="2025-06-01"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert default().versions.count() == 1


def test_a_province_creates_its_own_set_and_assigns_it_to_its_subtree(client_for, w):
    client = client_for("province")
    data = form_data(name="Quy định tỉnh A", owner=str(w.a.pk), probation__months="24")
    data["effective_from"] = timezone.localdate().isoformat()
    assert client.post("/rules/new/", data).status_code == 302
    own = RuleSet.objects.get(name="Quy định tỉnh A")
    assert own.owner == w.a
    response = client.post(
        f"/rules/org/{w.a.pk}/assign/", {"rule_set": own.pk, "effective_from": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    html = client_for("member").get(f"/rules/org/{w.a1a.pk}/").content.decode()
    assert "Quy định tỉnh A" in html
    assert "Tỉnh A" in html


def test_a_province_cannot_make_a_national_set(client_for, w):
    data = form_data(name="Quy định riêng")
    response = client_for("province").post("/rules/new/", data)
    assert response.status_code == 200
    assert not RuleSet.objects.filter(name="Quy định riêng").exists()


def test_a_commune_cannot_assign_a_set_owned_by_another_province(client_for, w):
    from handbook.rules.services import rule_set_create

    other = rule_set_create(
        actor=None, name="Quy định tỉnh B", owner=w.b, values=default().versions.first().values, effective_from=TOMORROW
    ).rule_set
    response = client_for("commune").post(
        f"/rules/org/{w.a1.pk}/assign/", {"rule_set": other.pk, "effective_from": TOMORROW.isoformat()}
    )
    assert response.status_code == 200  # not among the choices
    assert not RuleAssignment.objects.filter(organization=w.a1).exists()


def test_api_effective_rules_for_an_organisation(client_for, w):
    body = client_for("secretary").get(f"/api/v1/rules/effective?organization_id={w.a1a.pk}&on=2025-03-01").json()
    assert body["version"]["values"]["probation.months"] == 12
    assert body["version"]["effective_from"] == "2025-01-01"
    assert body["assigned_at_id"] is None
    assert client_for("outsider").get(f"/api/v1/rules/effective?organization_id={w.a1a.pk}").status_code == 404


def test_api_refuses_unknown_keys_with_every_problem(client_for, w):
    values = dict(default().versions.first().values)
    values["probation.years"] = 2
    values["probation.months"] = "x"
    response = client_for("admin").post(
        f"/api/v1/rules/sets/{default().pk}/versions",
        json.dumps({"effective_from": TOMORROW.isoformat(), "values": values}),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"probation.years", "probation.months"}
    assert body["code"] == "unknown_rule"


def test_api_assignment_is_audited_and_applies(client_for, w):
    response = client_for("commune").post(
        "/api/v1/rules/assignments",
        json.dumps({"organization_id": w.a1.pk, "rule_set_id": default().pk, "effective_from": TOMORROW.isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert AuditEvent.objects.filter(
        event_type=EventType.RULE_SET_ASSIGNED, object_id=str(w.a1.pk), actor=w.users["commune"]
    ).exists()
    assert rulebook.assignment_for(w.a1a.path, TOMORROW).organization_id == w.a1.pk
