"""The member sheet's layout: its sections and their fields, in print order. One list serves the
record page, the API, the PDF and the services (`RECORD_FIELDS` is derived from it)."""

from django.utils.translation import gettext_lazy as _

SECTIONS = [
    (
        "identity",
        _("Identity"),
        [
            "full_name",
            "other_names",
            "sex",
            "date_of_birth",
            "birth_place",
            "birth_province_code",
            "hometown",
            "residence",
            "ethnicity",
            "religion",
            "cccd",
            "phone",
        ],
    ),
    (
        "party",
        _("Party"),
        [
            "status",
            "record_number",
            "card_number",
            "admission_date",
            "official_date",
            "admitting_organization",
            "introducer_1",
            "introducer_2",
        ],
    ),
    (
        "background",
        _("Background"),
        [
            "general_education",
            "professional_qualification",
            "academic_degree",
            "political_theory",
            "foreign_languages",
            "it_skills",
            "youth_union_date",
            "military_enlisted",
            "military_discharged",
            "military_rank",
            "economic_situation",
        ],
    ),
]

#: Fields that change only through their own services (status history, admission workflow).
NOT_EDITED_AS_FIELDS = ("status", "admitting_organization")
RECORD_FIELDS = tuple(name for _key, _label, names in SECTIONS for name in names if name not in NOT_EDITED_AS_FIELDS)
