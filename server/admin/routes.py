"""Head-office admin API: one customer's data, exported or erased on request (PIPL)."""
from flask import Blueprint, Response, request
from flask_login import login_required
from sqlmodel import select

from server.access import admin_only
from server.audit import service as audit
from server.admin import roster, roster_template
from server.bookings import privacy
from server.db import get_db
from server.errors import ApiError, Invalid, NotFound
from server.extensions import doc
from server.http import body, client_ip, me, out
from server.models import (Booking, Customer, CustomerData, CustomerLookup, Employee, Erased, ErrorBody,
                           Product, RosterResult)
from spectree import Response as Doc
from werkzeug.exceptions import RequestEntityTooLarge

# The phone number travels in the body, never in a URL: URLs end up in access logs.
bp = Blueprint("admin", __name__, url_prefix="/api/admin")


def _customer() -> Customer:
    data = body(CustomerLookup)
    customer = get_db().exec(select(Customer).where(Customer.phone == data.phone)).first()
    if customer is None:
        raise NotFound("not_found")
    return customer


@bp.post("/customers/export")
@login_required
@admin_only
@doc(json=CustomerLookup, resp=Doc(HTTP_200=CustomerData, HTTP_403=ErrorBody, HTTP_404=ErrorBody),
     tags=["admin"])
def export_customer():
    """Everything held on one customer, for their access request (admins; audited)."""
    db, customer = get_db(), _customer()
    products = {p.id: p.name for p in db.exec(select(Product))}
    bookings = [{"reference": b.reference, "status": b.status, "product": products[b.product_id],
                 "slot_start": b.slot_start.isoformat() if b.slot_start else None, "note": b.note,
                 "name": b.name, "consent_version": b.consent_version,
                 "consented_at": b.consented_at.isoformat(), "created_at": b.created_at.isoformat()}
                for b in db.exec(select(Booking).where(Booking.customer_id == customer.id))]
    audit.record(db, action="customer_exported", actor=me(), target=f"customer:{customer.id}",
                 source=client_ip(), commit=True)
    return out(CustomerData, {"phone": customer.phone, "name": customer.name,
                              "dedicated_manager": db.get(Employee, customer.employee_id).name,
                              "bound_at": customer.bound_at,
                              "marketing_consent_at": customer.marketing_consent_at, "bookings": bookings})


@bp.post("/customers/erase")
@login_required
@admin_only
@doc(json=CustomerLookup, resp=Doc(HTTP_200=Erased, HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["admin"])
def erase_customer():
    """Delete one customer's personal data on request (admins; audited); counts are kept."""
    n = privacy.erase_customer(get_db(), customer=_customer(), actor=me(),
                               source=client_ip(), reason="admin on request")
    return out(Erased, {"bookings": n})


ROSTER_MAX_BYTES = 5 * 1024 * 1024


@bp.post("/roster")
@login_required
@admin_only
@doc(resp=Doc(HTTP_200=RosterResult, HTTP_403=ErrorBody, HTTP_413=ErrorBody, HTTP_422=ErrorBody), tags=["admin"])
def import_roster():
    """Upload the roster (multipart field `file`, CSV or XLSX): a dry run, or ?apply=1 to apply."""
    request.max_content_length = ROSTER_MAX_BYTES  # rosters are bigger than API bodies
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ApiError("roster_too_large", 413)
    if upload is None or not upload.filename.lower().endswith((".csv", ".xlsx")):
        raise Invalid(file="roster_file")
    db = get_db()
    try:
        rows = roster.read(upload.filename, upload.read())
    except roster.TooManyRows:
        raise Invalid(file="roster_too_many")
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        raise Invalid(file="roster_file")
    result = roster.plan(db, rows)
    applied = 0
    if request.args.get("apply") == "1" and not result.errors:
        applied = roster.apply(db, result, actor=me(), source=client_ip())
    return out(RosterResult, {"errors": result.errors, "changes": result.changes, "new_org": result.new_org,
                              "new_org_counts": result.new_org_counts, "applied": applied})


TEMPLATE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "csv": "text/csv; charset=utf-8"}


@bp.get("/roster/template.<fmt>")
@login_required
@admin_only
@doc(resp=Doc(HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["admin"])
def download_template(fmt):
    """The roster template (xlsx or csv): the columns the import reads and an example row."""
    if fmt not in TEMPLATE_TYPES:
        raise NotFound("not_found")
    db = get_db()
    data = roster_template.as_xlsx(db) if fmt == "xlsx" else roster_template.as_csv(db)
    return Response(data, mimetype=TEMPLATE_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="roster-template.{fmt}"'})
