"""How a booking looks to its customer and to staff (phone masked unless you are its manager)."""
from datetime import datetime

from flask import current_app
from sqlmodel import Session

from server.bookings.service import TRANSITIONS, customer_can_change
from server.models import Booking, Branch, Customer, Employee, Product, mask_phone, utcnow


def public(db: Session, booking: Booking, now: datetime | None = None, rows: tuple = ()) -> dict:
    """The booking as its customer sees it through the private status link. `rows`: its
    manager, branch, product and customer when the caller holds them (no query then)."""
    manager, branch, product, customer = rows or _rows(db, booking)
    return {"reference": booking.reference, "status": booking.status, "name": booking.name,
            "phone": mask_phone(customer.phone), "product": product.code,
            "product_name": product.name, "slot_start": booking.slot_start,
            "callback": booking.slot_start is None, "note": booking.note,
            "manager": manager.name, "manager_phone": manager.phone, "branch": branch.name,
            "branch_address": branch.address, "bank": current_app.config["BANK_NAME"],
            "hotline": current_app.config["BANK_HOTLINE"], "created_at": booking.created_at,
            "can_cancel": customer_can_change(booking, now or utcnow()),
            "reason": PUBLIC_REASONS.get(booking.route_reason, "new_customer"),
            "contact_within_hours": current_app.config["CONTACT_WITHIN_HOURS"]}


# Why this person serves the customer, in the words the customer is shown (专属 / 交接 / 代班 /
# 网格). An unproven number's booking reads as a new customer's: it must tell nothing of the number.
PUBLIC_REASONS = {"dedicated": "dedicated", "successor": "successor", "handover": "successor",
                  "out_of_office": "out_of_office", "branch_pool": "branch_pool",
                  "grid_least_loaded": "grid_least_loaded"}


def for_staff(db: Session, booking: Booking, viewer: Employee, rows: tuple = ()) -> dict:
    """The booking for a staff member; only the routed manager sees the full phone number."""
    # The branch it was booked at, wherever the manager works now.
    manager, branch, product, customer = rows or _rows(db, booking, booking.branch_id)
    owner = booking.employee_id == viewer.id
    return {"reference": booking.reference, "status": booking.status, "name": booking.name,
            "phone": customer.phone if owner else mask_phone(customer.phone),
            "phone_masked": not owner, "product": product.code, "product_name": product.name,
            "slot_start": booking.slot_start, "callback": booking.slot_start is None,
            "note": booking.note, "channel": booking.channel, "source": booking.source,
            "employee_id": manager.id, "employee": manager.name,
            "branch": branch.name, "route_reason": booking.route_reason,
            "created_at": booking.created_at, "updated_at": booking.updated_at,
            "next_statuses": list(TRANSITIONS.get(booking.status, ()))}


def _rows(db: Session, booking: Booking, branch_id: int | None = None) -> tuple:
    """The booking's manager, a branch (`branch_id`, else the manager's), its product and its customer."""
    manager = db.get(Employee, booking.employee_id)
    return (manager, db.get(Branch, branch_id or manager.branch_id), db.get(Product, booking.product_id),
            db.get(Customer, booking.customer_id))
