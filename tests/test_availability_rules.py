"""The availability and ETA rules of DESIGN §3, tested directly on plain values."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from backorder.services import availability as rules
from backorder.services.errors import BackorderLimitReached, NotBackorderable

TODAY = date(2026, 12, 1)
DEC = lambda day: date(2026, 12, day)  # noqa: E731


def product(**overrides):
    fields = dict(
        sku="SKU", on_hand=0, safety_stock=0, mode="backorder", backorder_limit=None, limit_to_incoming=False,
        backordered=0, back_in_stock_date=None, release_date=None, message=None,
    )
    fields.update(overrides)
    return SimpleNamespace(**fields)


def check(p, shipments=(), handling_days=0, today=TODAY):
    return rules.availability_for(p, list(shipments), today, handling_days)


@pytest.mark.parametrize(
    "fields, shipments, state, purchasable, available_now, remaining, eta, source",
    [
        # rule 1: sellable stock wins, whatever the mode
        (dict(on_hand=5, mode="notify"), [], "in_stock", True, 5, 0, None, None),
        (dict(on_hand=5, mode="backorder"), [], "in_stock", True, 5, None, None, None),
        (dict(on_hand=5, mode="backorder"), [(DEC(10), 3)], "in_stock", True, 5, None, DEC(10), "shipment"),
        (dict(on_hand=5, mode="preorder", release_date=DEC(20)), [], "in_stock", True, 5, None, DEC(20), "release_date"),
        # safety stock is kept back: on hand 2, safety 2 is not in stock
        (dict(on_hand=2, safety_stock=2, mode="notify"), [], "sold_out", False, 0, 0, None, None),
        (dict(on_hand=2, safety_stock=2, mode="backorder"), [], "backorder", True, 0, None, None, None),
        (dict(on_hand=3, safety_stock=2, mode="notify"), [], "in_stock", True, 1, 0, None, None),
        (dict(on_hand=1, safety_stock=5, mode="notify"), [], "sold_out", False, 0, 0, None, None),
        # rule 2: preorder before the release date, with its limit
        (dict(mode="preorder", release_date=DEC(20)), [], "preorder", True, 0, None, DEC(20), "release_date"),
        (dict(mode="preorder", release_date=DEC(20), backorder_limit=5, backordered=2), [], "preorder", True, 0, 3,
         DEC(20), "release_date"),
        (dict(mode="preorder", release_date=DEC(20), backorder_limit=5, backordered=5), [], "sold_out", False, 0, 0,
         DEC(20), "release_date"),
        (dict(mode="preorder", release_date=None), [], "preorder", True, 0, None, None, None),
        # after the release date a preorder product no longer takes orders without stock
        (dict(mode="preorder", release_date=DEC(1)), [], "sold_out", False, 0, 0, None, None),
        (dict(mode="preorder", release_date=date(2026, 11, 1)), [(DEC(5), 4)], "sold_out", False, 0, 0, DEC(5),
         "shipment"),
        # rule 3: backorder with no limit, under it, at it
        (dict(mode="backorder"), [], "backorder", True, 0, None, None, None),
        (dict(mode="backorder", backorder_limit=10, backordered=4), [], "backorder", True, 0, 6, None, None),
        (dict(mode="backorder", backorder_limit=10, backordered=10), [], "sold_out", False, 0, 0, None, None),
        (dict(mode="backorder", backorder_limit=0), [], "sold_out", False, 0, 0, None, None),
        # limit "incoming": only what is on order and not yet claimed
        (dict(mode="backorder", limit_to_incoming=True), [], "sold_out", False, 0, 0, None, None),
        (dict(mode="backorder", limit_to_incoming=True), [(DEC(10), 6)], "backorder", True, 0, 6, DEC(10),
         "shipment"),
        (dict(mode="backorder", limit_to_incoming=True, backordered=4), [(DEC(10), 6)], "backorder", True, 0, 2,
         DEC(10), "shipment"),
        (dict(mode="backorder", limit_to_incoming=True, backordered=6), [(DEC(10), 6)], "sold_out", False, 0, 0,
         None, None),
        # rule 4: sold out, told when it is expected back
        (dict(mode="notify"), [], "sold_out", False, 0, 0, None, None),
        (dict(mode="notify"), [(DEC(14), 30)], "sold_out", False, 0, 0, DEC(14), "shipment"),
        (dict(mode="notify", back_in_stock_date=DEC(24)), [], "sold_out", False, 0, 0, DEC(24), "back_in_stock_date"),
    ],
)
def test_state_table(fields, shipments, state, purchasable, available_now, remaining, eta, source):
    answer = check(product(**fields), shipments)
    assert (answer.state, answer.purchasable, answer.available_now) == (state, purchasable, available_now)
    assert (answer.backorder_remaining, answer.eta, answer.eta_source) == (remaining, eta, source)
    assert answer.notify == (state == "sold_out")


def test_fifo_eta_skips_shipments_claimed_by_earlier_backorders():
    # 4 open backordered units; 3 arrive on 10 Dec, 5 on 20 Dec: the next unit waits for 20 Dec
    answer = check(product(backordered=4), [(DEC(20), 5), (DEC(10), 3)])
    assert answer.eta == DEC(20)
    assert answer.incoming == (rules.Incoming(DEC(20), 4),)


def test_fifo_eta_falls_back_to_back_in_stock_date_when_shipments_are_all_claimed():
    shipments = [(DEC(10), 3), (DEC(20), 5)]
    assert check(product(backordered=8, back_in_stock_date=DEC(30)), shipments).eta == DEC(30)
    assert check(product(backordered=8, back_in_stock_date=DEC(30)), shipments).eta_source == "back_in_stock_date"
    assert check(product(backordered=8), shipments).eta is None
    assert check(product(backordered=8), shipments).incoming == ()


def test_back_in_stock_date_in_the_past_or_today_is_ignored():
    assert check(product(back_in_stock_date=date(2026, 11, 30))).eta is None
    assert check(product(back_in_stock_date=TODAY)).eta is None
    assert check(product(back_in_stock_date=DEC(2))).eta == DEC(2)


def test_shipment_beats_back_in_stock_date():
    answer = check(product(back_in_stock_date=DEC(5)), [(DEC(20), 1)])
    assert (answer.eta, answer.eta_source) == (DEC(20), "shipment")


def test_handling_days_are_added_to_shipment_dates_not_to_manual_dates():
    assert check(product(), [(DEC(10), 3)], handling_days=2).eta == DEC(12)
    assert check(product(), [(DEC(10), 3)], handling_days=2).incoming == (rules.Incoming(DEC(12), 3),)
    assert check(product(back_in_stock_date=DEC(10)), handling_days=2).eta == DEC(10)


def test_overdue_shipment_counts_as_arriving_today():
    answer = check(product(), [(date(2026, 11, 20), 3)], handling_days=1)
    assert answer.eta == TODAY + timedelta(days=1)


def test_shipments_on_the_same_day_are_merged_in_incoming():
    answer = check(product(backordered=1), [(DEC(10), 3), (DEC(10), 2), (DEC(11), 1)])
    assert answer.incoming == (rules.Incoming(DEC(10), 4), rules.Incoming(DEC(11), 1))


def test_merchant_message_is_passed_through_and_blank_is_none():
    assert check(product(message="Made to order")).message == "Made to order"
    assert check(product(message="")).message is None


def test_untracked_sku_leaves_the_page_alone():
    answer = rules.untracked("NOPE")
    assert (answer.state, answer.purchasable, answer.notify, answer.eta) == ("untracked", True, False, None)


# --- splitting an order line -----------------------------------------------------------------

def plan(p, quantity, shipments=(), handling_days=0):
    return rules.plan_line(p, list(shipments), TODAY, handling_days, quantity)


def test_line_within_stock_ships_now():
    assert plan(product(on_hand=5), 3) == rules.LinePlan(3, 0, None, None)


def test_quantity_above_on_hand_backorders_the_excess_with_its_eta():
    # 2 ship now; the 3rd unit is the first in the queue and gets the 10 Dec shipment
    assert plan(product(on_hand=2), 3, [(DEC(10), 1)]) == rules.LinePlan(2, 1, DEC(10), "shipment")


def test_line_eta_is_the_eta_of_its_last_unit():
    # 3 backordered units: 2 come on 10 Dec, the 3rd on 20 Dec, so the line ships on 20 Dec
    assert plan(product(), 3, [(DEC(10), 2), (DEC(20), 5)]) == rules.LinePlan(0, 3, DEC(20), "shipment")


def test_line_beyond_stock_of_a_notify_product_is_refused():
    with pytest.raises(NotBackorderable):
        plan(product(on_hand=2, mode="notify"), 3)


def test_line_over_the_limit_is_refused_with_what_remains():
    with pytest.raises(BackorderLimitReached) as refused:
        plan(product(on_hand=1, backorder_limit=5, backordered=3), 4)
    assert refused.value.details["backorder_remaining"] == 2


def test_line_exactly_at_the_limit_is_accepted():
    assert plan(product(on_hand=1, backorder_limit=5, backordered=3), 3).backordered == 2


def test_preorder_line_ships_on_release_date():
    assert plan(product(mode="preorder", release_date=DEC(20)), 2) == rules.LinePlan(0, 2, DEC(20), "release_date")


def test_line_limited_to_incoming_cannot_take_more_than_is_on_order():
    with pytest.raises(BackorderLimitReached):
        plan(product(limit_to_incoming=True, backordered=1), 3, [(DEC(10), 3)])
    assert plan(product(limit_to_incoming=True, backordered=1), 2, [(DEC(10), 3)]).eta == DEC(10)
