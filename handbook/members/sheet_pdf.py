"""The member sheet (Phiếu đảng viên) as a PDF, from the same RecordView the page shows: a reader
gets in the PDF exactly the fields they may see on screen. The font ships with Handbook (DejaVu
Sans covers every Vietnamese letter); nothing is downloaded."""

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from handbook.core.templatetags.handbook import attr_display

from .record import RecordView

FONTS = Path(__file__).resolve().parent.parent / "core" / "fonts"


def sheet_lines(view: RecordView) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section title, [(label, value)]) in print order: what goes into the PDF."""
    sections = []
    for key, label, fields in view.sections:
        rows = [(f.label.capitalize(), f.display or "—") for f in fields]
        if key == "party" and view.member.admission_date and view.party_age is not None:
            rows.append(
                (
                    _("party age").capitalize(),
                    _("%(y)s years %(m)s months") % {"y": view.party_age.years, "m": view.party_age.months},
                )
            )
        sections.append((label, rows))
    if view.history:
        sections.append(
            (
                _("Status history"),
                [
                    (h.effective_date.strftime("%d/%m/%Y"), h.get_status_display() + (f" — {h.note}" if h.note else ""))
                    for h in view.history
                ],
            )
        )
    for table in view.tables:
        if table.rows:
            rows = [
                (
                    str(i),
                    "; ".join(
                        f"{col}: {attr_display(row, name)}" for name, col in table.columns if attr_display(row, name)
                    ),
                )
                for i, row in enumerate(table.rows, start=1)
            ]
            sections.append((table.label.capitalize(), rows))
    return sections


def member_sheet_pdf(view: RecordView, *, printed_by: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{_('Member sheet')} · {view.member.full_name}")
    pdf.set_author("Handbook")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, _("MEMBER SHEET"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(
        0, 7, f"{view.member.full_name} · {view.member.organization.name}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(3)
    for title, rows in sheet_lines(view):
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        with pdf.table(col_widths=(38, 62), first_row_as_headings=False, line_height=6) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label)
                row.cell(value)
        pdf.ln(2)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(
        0,
        6,
        _("Printed %(when)s by %(who)s from Handbook. Confidential.")
        % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M"), "who": printed_by},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
