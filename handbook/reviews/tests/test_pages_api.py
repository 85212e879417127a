import json

import pytest

from handbook.reviews.models import Review

from .factories import decide, open_period

pytestmark = pytest.mark.django_db


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_walks_a_review_through_its_three_steps(w, client_for):
    period = open_period(w.a1)
    base = f"/api/v1/reviews/periods/{period.pk}"
    r = _post(
        client_for("member"), f"{base}/self-assessment", {"member_id": w.own_member.pk, "text": "Tốt", "score": 72}
    )
    assert r.status_code == 200 and r.json()["self_level"] == "good"
    r = _post(client_for("secretary"), f"{base}/proposal", {"member_id": w.own_member.pk, "score": 95, "level": "good"})
    assert r.status_code == 400
    assert r.json()["code"] == "level_needs_reason" and r.json()["field"] == "reason"
    r = _post(client_for("secretary"), f"{base}/proposal", {"member_id": w.own_member.pk, "score": 95})
    assert r.json()["proposed_level"] == "excellent"
    r = _post(
        client_for("commune"),
        f"{base}/decision",
        {"member_id": w.own_member.pk, "decision_number": "9-QĐ", "decision_date": "2025-12-01"},
    )
    assert r.status_code == 200 and r.json()["final_level"] == "excellent"
    assert r.json()["rule_set_id"] == period.rule_set_id
    mine = client_for("member").get("/api/v1/reviews/mine").json()
    assert [m["final_level"] for m in mine] == ["excellent"]


def test_the_api_summary_gives_counts_and_percentages_per_child(w, client_for):
    period = open_period(w.a1)
    decide(period, w.own_member, 91)
    decide(period, w.other_member, 40)
    body = client_for("commune").get(f"/api/v1/reviews/periods/{period.pk}/summary").json()
    a1a = next(row for row in body["children"] if row["organization_id"] == w.a1a.pk)
    assert a1a["levels"] == {"excellent": 1, "good": 0, "completed": 0, "not_completed": 1}
    assert a1a["percent"]["excellent"] == 50.0
    assert (a1a["subjects"], a1a["not_reviewed"]) == (4, 2)
    assert body["total"]["subjects"] == 6


def test_the_summary_of_a_node_outside_the_scope_is_not_found(w, client_for):
    period = open_period(w.a1)
    r = client_for("secretary").get(f"/api/v1/reviews/periods/{period.pk}/summary?node_id={w.a1b.pk}")
    assert r.status_code == 404


def test_a_member_cannot_read_another_members_review(w, client_for):
    period = open_period(w.a1)
    decide(period, w.other_member, 80)
    r = client_for("member").get(f"/api/v1/reviews/periods/{period.pk}/review?member_id={w.other_member.pk}")
    assert r.status_code == 404


def test_the_period_page_lists_the_cells_members_and_drills_down(w, client_for):
    period = open_period(w.a1)
    decide(period, w.own_member, 91)
    page = client_for("commune").get(f"/reviews/{period.pk}/").content.decode()
    assert "Chi bộ A1a" in page and f"?node={w.a1a.pk}" in page
    cell = client_for("commune").get(f"/reviews/{period.pk}/?node={w.a1a.pk}").content.decode()
    assert "Nguyễn Văn Ánh" in cell and "Phạm Thị Dung" in cell


def test_the_review_page_offers_each_persona_only_their_step(w, client_for):
    period = open_period(w.a1)
    url = f"/reviews/{period.pk}/member/{w.own_member.pk}/"
    assert 'value="self"' in client_for("member").get(url).content.decode()
    client_for("member").post(url, {"action": "self", "text": "Tự đánh giá", "score": "88"})
    assert Review.objects.get(period=period, member=w.own_member).self_score == 88
    assert 'value="propose"' not in client_for("member").get(url).content.decode()
    assert 'value="propose"' in client_for("secretary").get(url).content.decode()
    assert 'value="decide"' not in client_for("commune").get(url).content.decode()


def test_a_form_error_is_shown_on_the_page(w, client_for):
    period = open_period(w.a1)
    url = f"/reviews/{period.pk}/member/{w.own_member.pk}/"
    r = client_for("member").post(url, {"action": "self", "text": "x", "score": "150"})
    assert r.status_code == 400
    assert "100" in r.content.decode()


def test_a_step_the_page_does_not_offer_is_refused_before_any_form(w, client_for):
    period = open_period(w.a1)
    url = f"/reviews/{period.pk}/member/{w.own_member.pk}/"
    client_for("member").post(url, {"action": "self", "text": "Tự đánh giá", "score": "88"})
    # The member may not propose for themselves, nor decide; nor assess again once proposed.
    proposal = {"action": "propose", "score": "95", "level": "excellent", "reason": "Tự đề xuất"}
    assert client_for("member").post(url, proposal).status_code == 403
    assert client_for("member").post(url, {"action": "bogus"}).status_code == 403
    review = Review.objects.get(period=period, member=w.own_member)
    assert review.state == Review.State.SELF_ASSESSED and review.proposed_score is None
