"""How a booking looks to its customer and to staff (phone masked unless you are its manager)."""
from datetime import datetime

from flask import current_app
from sqlalchemy import inspect
from sqlmodel import Session, select

from server import access
from server.bookings.service import TRANSITIONS, customer_can_change
from server.models import Booking, Branch, Customer, Employee, Grid, Product, ShopLink, mask_phone, utcnow
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
    """The booking for a staff member; only the routed manager sees the full phone number,
    others in scope a button to reveal it if they rank above its manager (server/access.py)."""
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
            "can_reveal": not owner and access.may_reveal(db, viewer, booking), **_came_through(db, booking),
            **({} if _just_made(booking) else {
                "verified": booking.verified_at is not None, "verified_by": booking.verified_by,
                "flag_review": booking.flag_review})}


def for_staff_list(db: Session, bookings: list[Booking], viewer: Employee) -> list[dict]:
    """A page of bookings for staff: the rows they refer to are read a kind at a time (one
    query each), then found in the session's identity map."""
    for model, ids in ((Customer, {b.customer_id for b in bookings}),
                       (ShopLink, {b.shop_link_id for b in bookings if b.shop_link_id}),
                       (Employee, {b.employee_id for b in bookings}), (Product, {b.product_id for b in bookings})):
        if ids:
            list(db.exec(select(model).where(model.id.in_(ids))))
    owners = {db.get(ShopLink, b.shop_link_id).employee_id for b in bookings if b.shop_link_id}
    if owners:
        list(db.exec(select(Employee).where(Employee.id.in_(owners))))
    return [for_staff(db, b, viewer) for b in bookings]


def _came_through(db: Session, booking: Booking) -> dict:
    """The shop a booking came through: its code, whose it is and its grid (a grid code's)."""
    link = db.get(ShopLink, booking.shop_link_id) if booking.shop_link_id else None
    if link is None:
        return {}
    owner = db.get(Employee, link.employee_id)
    grid = db.get(Grid, link.grid_id) if link.grid_id else None
    return {"shop_code": link.code, "shop_owner": owner.name, "shop_owner_id": owner.id,
            "shop_grid": grid.name if grid else ""}


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
