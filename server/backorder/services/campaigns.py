"""Restock campaigns (DESIGN §3): who is told, when, and why not.

A restock (sellable stock appears) starts a campaign in the same transaction as the stock change,
so however many times the change is reported, it starts once. Workers then plan its waves:
oldest active alerts first, wave size = free units × the store's wave factor, the next wave
after the store's interval and only while the product is still sellable; nothing below the
minimum restock quantity, nothing in quiet hours. Every decision lands in the campaign's log.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..db import db
from ..models import Campaign, Message, Store, Subscription, Suppression, utcnow
from . import availability as rules
from .errors import NotSellable, UnknownCampaign
from .products import availability_of_products, lock_products

CLAIM_SECONDS = 60  # a worker planning a wave owns the campaign this long


def _note(campaign, now, event, reason=None, count=None):
    entry = {"at": now.isoformat(timespec="seconds"), "event": event}
    if reason is not None:
        entry["reason"] = reason
    if count is not None:
        entry["count"] = count
    campaign.log = [*(campaign.log or []), entry]


def _running(product_id, kind):
    return db.session.execute(
        db.select(Campaign).where(Campaign.product_id == product_id, Campaign.kind == kind,
                                  Campaign.status == "running")
    ).scalars().first()


def start_campaign(product, trigger, kind="restock", now=None):
    """Start notifying the product's waiting shoppers, unless a campaign of this kind is running.

    The caller holds the product's lock and commits. Returns the (new or running) campaign.
    """
    now = now or utcnow()
    campaign = _running(product.id, kind)
    if campaign is not None:
        return campaign
    campaign = Campaign(store_id=product.store_id, product_id=product.id, kind=kind, trigger=trigger,
                        status="running", next_wave_at=now, created_at=now, log=[])
    _note(campaign, now, "started", reason=trigger)
    db.session.add(campaign)
    return campaign


def is_restock(before, after):
    """Sellable-nothing became sellable: a restock."""
    return before.available_now <= 0 < after.available_now


def gained_room(before, after):
    """A sold-out backorder product can be ordered again (limit raised, shipment planned)."""
    return before.state == rules.SOLD_OUT and after.state in (rules.BACKORDER, rules.PREORDER)


def after_stock_change(store, product, before, after, trigger, now=None):
    """Start what a change of availability calls for: a restock campaign, or "you can order now" notices.

    Only when someone is waiting: a campaign with nobody to tell would only clutter the log.
    """
    if is_restock(before, after):
        kind = "restock"
    elif store.notify_on_room and gained_room(before, after):
        kind = "room"
    else:
        return None
    if waiting_count(product) == 0:
        return None
    return start_campaign(product, trigger, kind, now)


def react_to_changes(store, products, before, trigger, now=None, check_etas=False):
    """After stock, limits or shipments changed under the products' locks: start campaigns the change
    calls for and (with check_etas) tell backorder customers whose date slipped. Caller commits."""
    from .backorders import notify_later_etas

    after = availability_of_products(store, products)
    for product in products:
        after_stock_change(store, product, before[product.id], after[product.id], trigger, now)
        if check_etas and product.backordered:  # no open backorder, nobody to tell: no query
            notify_later_etas(store, product, now)


def start_manual_campaign(store, product, now=None):
    """The merchant's "send restock emails now": refused while shoppers cannot buy the product."""
    now = now or utcnow()
    lock_products([product.id])
    found = availability_of_products(store, [product])[product.id]
    if not found.purchasable:
        raise NotSellable(f"{product.sku!r} is sold out: restock it before telling shoppers", sku=product.sku)
    kind = "restock" if found.state == rules.IN_STOCK else "room"
    campaign = start_campaign(product, "manual", kind, now)
    db.session.commit()
    return campaign


# --- waves ---------------------------------------------------------------------------------

def quiet_until(store, now):
    """The end of the store's quiet hours if `now` falls in them (as UTC), else None."""
    if store.quiet_hours_start is None or store.quiet_hours_end is None:
        return None
    zone = ZoneInfo(store.timezone)
    local = now.astimezone(zone)
    start, end, clock = store.quiet_hours_start, store.quiet_hours_end, local.time()
    inside = start <= clock < end if start <= end else (clock >= start or clock < end)  # may wrap midnight
    if not inside:
        return None
    until = datetime.combine(local.date(), end, tzinfo=zone)
    if until <= local:
        until = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return until.astimezone(now.tzinfo)


def _claim(campaign_id, seen_due, now):
    """Take a due campaign for this worker: a conditional update, so two workers never plan one wave."""
    result = db.session.execute(
        db.update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "running", Campaign.next_wave_at == seen_due)
        .values(next_wave_at=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def run_due_campaigns(now=None, limit=20):
    """Plan the next wave of every campaign that is due; returns the messages queued."""
    now = now or utcnow()
    due = db.session.execute(
        db.select(Campaign.id, Campaign.next_wave_at)
        .where(Campaign.status == "running", Campaign.next_wave_at <= now)
        .order_by(Campaign.next_wave_at).limit(limit)
    ).all()
    queued = 0
    for campaign_id, seen_due in due:
        if _claim(campaign_id, seen_due, now):
            queued += plan_wave(db.session.get(Campaign, campaign_id), now)
    return queued


def _finish(campaign, now, status, reason=None):
    campaign.status, campaign.reason, campaign.finished_at, campaign.next_wave_at = status, reason, now, None
    _note(campaign, now, status, reason=reason)


def _free_units(campaign, found):
    """(sellable?, units free to sell) as this campaign's kind counts them; None units: no limit."""
    if campaign.kind == "room":
        return found.state in (rules.BACKORDER, rules.PREORDER), found.backorder_remaining
    return found.state == rules.IN_STOCK and found.available_now > 0, found.available_now


def _skip_suppressed(campaign, product_id, now):
    """Close the alerts of suppressed addresses with a recorded reason instead of emailing them."""
    suppressed = (
        db.select(Subscription.id).join(Suppression, sa.and_(
            Suppression.store_id == Subscription.store_id, Suppression.email_hash == Subscription.email_hash))
        .where(Subscription.product_id == product_id, Subscription.status == "active")
    )
    count = _queue(campaign, suppressed, now, status="skipped", reason="suppressed")
    if count:
        _close_queued(campaign, "skipped", dict(status="unsubscribed", ended_at=now, end_channel="suppressed"))
        _note(campaign, now, "skipped", reason="suppressed", count=count)


def _close_queued(campaign, message_status, values):
    """Update the still-active subscriptions this campaign just wrote messages of `message_status` for."""
    written = db.select(Message.subscription_id).where(
        Message.campaign_id == campaign.id, Message.status == message_status)
    db.session.execute(db.update(Subscription).where(
        Subscription.status == "active", Subscription.id.in_(written)).values(**values))


def _queue(campaign, subscription_ids, now, status="queued", reason=None):
    """One message row per subscription chosen by the `subscription_ids` query, in one INSERT … SELECT
    (never a list of ids: a wave may hold more than a statement's 65,535 parameters). Returns the count."""
    chosen = db.select(
        sa.literal(campaign.store_id), sa.literal(campaign.kind), Subscription.email, Subscription.email_hash,
        Subscription.locale, Subscription.id, sa.literal(campaign.id), sa.literal(campaign.product_id),
        sa.literal(status), sa.literal(reason, sa.String), sa.literal(now, Message.due_at.type),
        sa.literal(now, Message.created_at.type),
    ).where(Subscription.id.in_(subscription_ids)).order_by(Subscription.created_at, Subscription.id)  # sent oldest first
    # rowcount of INSERT … SELECT is -1 through psycopg here: count the rows it returns instead
    written = db.session.execute(db.insert(Message).from_select(
        ["store_id", "kind", "recipient", "email_hash", "locale", "subscription_id", "campaign_id", "product_id",
         "status", "reason", "due_at", "created_at"], chosen).returning(Message.id))
    return len(written.all())


def plan_wave(campaign, now=None):
    """Queue the next wave of a campaign, or record why not; returns the messages queued."""
    now = now or utcnow()
    store = db.session.get(Store, campaign.store_id)
    product = lock_products([campaign.product_id])[0]
    found = availability_of_products(store, [product])[product.id]
    sellable, free = _free_units(campaign, found)
    if not sellable:
        _finish(campaign, now, "stopped", "sold_out_again")
        db.session.commit()
        return 0
    if free is not None and free < store.min_restock_quantity:
        _finish(campaign, now, "stopped", "below_minimum")
        db.session.commit()
        return 0
    until = quiet_until(store, now)
    if until is not None:
        campaign.next_wave_at, campaign.reason = until, "quiet_hours"
        _note(campaign, now, "postponed", reason="quiet_hours")
        db.session.commit()
        return 0
    _skip_suppressed(campaign, product.id, now)
    size = None if store.wave_factor is None or free is None else max(1, free * store.wave_factor)
    wave = (
        db.select(Subscription.id)
        .where(Subscription.product_id == product.id, Subscription.status == "active")
        .order_by(Subscription.created_at, Subscription.id).limit(size)
    )
    count = _queue(campaign, wave, now)
    if count:
        _close_queued(campaign, "queued", dict(status="notified", notified_at=now, campaign_id=campaign.id))
        campaign.waves += 1
        campaign.queued += count
        _note(campaign, now, "wave", count=count)
    if waiting_count(product) == 0:
        _finish(campaign, now, "finished", None if count else "nobody_waiting")
    else:
        campaign.reason = None
        campaign.next_wave_at = now + timedelta(minutes=store.wave_interval_minutes)
    db.session.commit()
    return count


# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CampaignView:
    """A campaign as the admin sees it: its state and its messages counted by status."""

    campaign: Campaign
    progress: dict


def describe_campaigns(campaigns):
    progress = progress_of([campaign.id for campaign in campaigns])
    return [CampaignView(campaign, progress[campaign.id]) for campaign in campaigns]


def campaign_of(store, campaign_id):
    campaign = db.session.get(Campaign, campaign_id) if 0 < campaign_id < 2**31 else None
    if campaign is None or campaign.store_id != store.id:
        raise UnknownCampaign(f"No campaign {campaign_id}", campaign_id=campaign_id)
    return campaign


def progress_of(campaign_ids):
    """{campaign id: {status: count of messages}} for the admin's progress bars."""
    counts = {campaign_id: {} for campaign_id in campaign_ids}
    rows = db.session.execute(
        db.select(Message.campaign_id, Message.status, sa.func.count())
        .where(Message.campaign_id.in_(campaign_ids)).group_by(Message.campaign_id, Message.status)
    )
    for campaign_id, status, count in rows:
        counts[campaign_id][status] = count
    return counts


def campaigns_of(store, product=None, limit=100):
    statement = db.select(Campaign).where(Campaign.store_id == store.id)
    if product is not None:
        statement = statement.where(Campaign.product_id == product.id)
    return db.session.execute(statement.order_by(Campaign.id.desc()).limit(limit)).scalars().all()


def waiting_count(product):
    return db.session.execute(
        db.select(sa.func.count()).select_from(Subscription)
        .where(Subscription.product_id == product.id, Subscription.status == "active")
    ).scalar_one()

