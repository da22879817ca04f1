"""How a booking looks to its customer and to staff (phone masked unless you are its manager)."""
from datetime import datetime

from flask import current_app
from sqlalchemy import inspect
from sqlmodel import Session

from server.bookings.service import TRANSITIONS, customer_can_change
from server.models import Booking, Branch, Customer, Employee, Product, ShopLink, mask_phone, utcnow
from server.shops.service import english


def public(db: Session, booking: Booking, now: datetime | None = None, rows: tuple = ()) -> dict:
    """The booking as its customer sees it through the private status link. `rows`: its
    manager, branch, product and customer when the caller holds them (no query then)."""
    manager, branch, product, customer = rows or _rows(db, booking)
    return {"reference": booking.reference, "status": booking.status, "name": booking.name,
            "phone": mask_phone(customer.phone), "product": product.code,
            "product_name": product.name, "product_name_en": english(product, "name"),
            "slot_start": booking.slot_start, "callback": booking.slot_start is None, "note": booking.note,
            "manager": manager.name, "manager_phone": manager.phone, "branch": branch.name,
            "branch_en": english(branch, "name"), "branch_address": branch.address,
            "branch_address_en": english(branch, "address"), "bank": current_app.config["BANK_NAME"],
            "hotline": current_app.config["BANK_HOTLINE"], "created_at": booking.created_at,
            "can_cancel": customer_can_change(booking, now or utcnow()),
            "reason": PUBLIC_REASONS.get(booking.route_reason, "new_customer"),
            "contact_within_hours": current_app.config["CONTACT_WITHIN_HOURS"], **_checkin(booking, now)}


# Why this person serves the customer, in the words the customer is shown (专属 / 交接 / 代班 /
# 网格). An unproven number's booking reads as a new customer's: it must tell nothing of the number.
PUBLIC_REASONS = {"dedicated": "dedicated", "successor": "successor", "handover": "successor",
                  "out_of_office": "out_of_office", "branch_pool": "branch_pool",
                  "grid_least_loaded": "grid_least_loaded"}


def _checkin(booking: Booking, now: datetime | None) -> dict:
    """The check-in code the customer's page shows today, if any (server/checkin/service.py)."""
    from server.checkin.service import code_for, code_qr

    if _just_made(booking):
        return {"checkin_code": None, "checkin_qr": None, "verified": False}
    code = code_for(booking, now)
    return {"checkin_code": code, "checkin_qr": code_qr(code) if code else None,
            "verified": booking.verified_at is not None}


def for_status_page(db: Session, booking: Booking) -> dict:
    """The booking as its status page shows it: also the shop it came through, to book again."""
    link = db.get(ShopLink, booking.shop_link_id) if booking.shop_link_id else None
    shop_url = f"{current_app.config['PUBLIC_BASE_URL']}/s/{link.code}" if link else ""
    return {**public(db, booking), "shop_url": shop_url}


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
            "next_statuses": list(TRANSITIONS.get(booking.status, ())),
            "checkin": "otp" if booking.source == "staff" else "code", "flag": booking.flag,
            **({} if _just_made(booking) else {
                "verified": booking.verified_at is not None, "verified_by": booking.verified_by,
                "flag_review": booking.flag_review})}


def _just_made(booking: Booking) -> bool:
    """A booking as the batch that made it returns it (detached, only the inserted columns
    loaded): no evidence or review yet, and nothing to load."""
    state = inspect(booking)
    return state.detached and "verified_at" in state.unloaded


def _rows(db: Session, booking: Booking, branch_id: int | None = None) -> tuple:
    """The booking's manager, a branch (`branch_id`, else the manager's), its product and its customer."""
    manager = db.get(Employee, booking.employee_id)
    return (manager, db.get(Branch, branch_id or manager.branch_id), db.get(Product, booking.product_id),
            db.get(Customer, booking.customer_id))
