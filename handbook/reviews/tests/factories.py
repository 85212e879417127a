"""Helpers for review tests: a period run by a committee of the persona world."""

import datetime

from django.utils import timezone

from handbook.reviews import services


def open_period(org, *, subject="members", kind="annual", **extra):
    today = timezone.localdate()
    return services.period_create(
        actor=None,
        organization=org,
        title=extra.pop("title", f"Kiểm điểm {today.year}"),
        kind=kind,
        subject=subject,
        year=extra.pop("year", today.year),
        deadline=extra.pop("deadline", today + datetime.timedelta(days=30)),
        **extra,
    )


def decide(period, subject, score, *, level=""):
    services.review_self_assess(actor=None, period=period, subject=subject, text="Tự đánh giá", score=score)
    services.review_propose(
        actor=None, period=period, subject=subject, score=score, level=level, reason="x" if level else ""
    )
    return services.review_decide(
        actor=None, period=period, subject=subject, decision_number="01-QĐ", decision_date=timezone.localdate()
    )
