"""One demo order's life, played forward in time: placement, payments, status changes, parcels, refunds,
returns. Every move goes through the real status machines (``ORDER_MACHINE.check`` and friends) and the real
event factories, and the order's derived values come from the real pure functions
(``determine_order_status``, ``derive_payment_status``), so the demo shows only states the app can reach.

Nothing here touches the database: the story builds unsaved objects with pre-assigned ids, and
``app.demo.shop`` inserts them table by table afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.actors import Actor
from app.demo import names
from app.demo.context import DemoContext
from app.models import (
    ActorType, Order, OrderEvent, OrderEventType, OrderItem, Parcel, ParcelEvent, ParcelItem, Payment, PaymentProvider,
    PaymentState, Refund, RefundItem, ReturnItem, ReturnRequest, ReturnStatus, Voucher, WalletEntry,
    WalletEntryKind,
)
from app.orders import events
from app.orders.pricing import ZERO, cents
from app.orders.status import (
    ORDER_MACHINE, ItemStatus, OrderStatus, derive_payment_status, determine_order_status,
)
from app.parcels.status import HANDED_OVER, PARCEL_MACHINE, ParcelMethod, ParcelStatus
from app.refunds.status import REFUND_MACHINE, RefundDestination, RefundScenario, RefundStatus
from app.statemachine import Role

O, P, R = OrderStatus, ParcelStatus, RefundStatus
SYSTEM = Actor.system()
GATEWAY = Actor.system("Payment gateway")
COURIER = Actor.system("Courier tracking")


@dataclass
class Plan:
    """What an order's story should end in, decided before the story is played.

    ``outcome`` is the first payment attempt's result (completed, pending, authorized, failed, partial);
    ``scenario`` a refund story (S1-full, S2, S3-full, S3-part, S4, S5-full, S5-part); ``side`` an extra on a
    fulfilled order (refund:REQUESTED, return:APPROVED, note, ...), or box:OPEN on a DELIVERY-READY one (its last
    parcel still open); ``destination`` forces a refund destination.
    """

    status: OrderStatus
    provider: PaymentProvider
    outcome: str = "completed"
    scenario: str | None = None
    side: str | None = None
    destination: RefundDestination | None = None
    # The demo accounts' stories (app.demo.customers): whose order it is ("demo", "second"), how old it is (days,
    # overriding the status's usual age) and whether its parcels go by courier (tracking number and events).
    buyer: str | None = None
    age: tuple[float, float] | None = None
    courier: bool = False


class OrderStory:
    def __init__(self, ctx: DemoContext, order: Order, plan: Plan, placed_by: Actor) -> None:
        self.ctx, self.order, self.plan, self.placed_by = ctx, order, plan, placed_by
        self.rng = ctx.rng
        self.t = order.created_at
        self.parcels: list[Parcel] = []
        self.refunds: list[Refund] = []
        self.others: list = []  # wallet entries, vouchers, return requests (inserted after refunds)

    # --- the plot --------------------------------------------------------------------------------
    def play(self) -> None:
        self._place()
        self._first_payment()
        self._plot()
        self._finish()

    def _plot(self) -> None:
        """Walk the order towards its planned status; each ``return`` is where a story stops."""
        target, scenario = self.plan.status, self.plan.scenario
        if target == O.ORDERED:
            return
        if target == O.CANCELLED:
            return self._cancelled_before_dispatch()
        if scenario == "S1-full":
            return self._store_cannot_fulfil()
        self._wait(10, 600)
        self._settle_eft()
        self._move(O.PROCESSING, self._staff())
        if target == O.PROCESSING:
            return
        self._wait(60, 900)
        self._pack(partial_ready=target == O.DELIVERY_READY)
        self._move(O.DELIVERY_READY, self._staff())
        if target == O.DELIVERY_READY:
            return
        if scenario == "S2":
            return self._customer_not_available()
        self._deliver(partial=target == O.PARTIALLY_FULFILLED)
        if target in (O.PARTIALLY_FULFILLED, O.FULFILLED):
            return self._side_story()
        self._wait(60 * 24, 60 * 24 * 10)
        self._refund_story()

    def _cancelled_before_dispatch(self) -> None:
        self._wait(20, 2000)
        if self.rng.random() < 0.4:
            self._move(O.PROCESSING, self._staff())
            self._wait(30, 600)
        self._cancel(self._canceller(), self.rng.choice(names.CANCEL_REASONS))

    def _store_cannot_fulfil(self) -> None:
        """S1: the store cannot supply a paid order: a refund gives everything back, delivery fee too, and
        cancels the order once the money is back (a paid order is never cancelled by a status change)."""
        self._wait(20, 600)
        self._move(O.PROCESSING, self._staff())
        self._wait(30, 900)
        self._refund(RefundScenario.S1, self._all_units(), cancels_order=True,
                     reason=self.rng.choice(("Out of stock", "No driver available (weather)")))

    def _customer_not_available(self) -> None:
        """S2: the parcel comes back; a refund of the items (the delivery fee kept) cancels the order."""
        self._failed_delivery()
        self._refund(RefundScenario.S2, self._all_units(), reason="Customer not available at delivery",
                     cancels_order=True)

    def _refund_story(self) -> None:
        scenario = self.plan.scenario
        if scenario == "S3-full":
            request = self._return(self._all_units(), ReturnStatus.RECEIVED)
            self._refund(RefundScenario.S3, self._all_units(), reason=request.reason, return_request=request)
        elif scenario == "S3-part":
            units = self._some_units()
            request = self._return(units, ReturnStatus.RECEIVED)
            self._refund(RefundScenario.S3, units, reason=request.reason, return_request=request)
        elif scenario == "S4":
            amount = max(cents(self.order.total * Decimal("0.10")), Decimal("0.01"))
            self._refund(RefundScenario.S4, [], reason="Delivery was three days late", amount=amount)
        elif scenario == "S5-full":
            self._refund(RefundScenario.S5, self._all_units(), reason="Refunded at the till (POS)")
        else:  # S5-part
            self._refund(RefundScenario.S5, self._some_units(), reason="Loyalty points refund at the till")

    def _side_story(self) -> None:
        """Open business on an otherwise settled order: a pending refund, a return in progress, a note, or a
        card holder disputing the payment."""
        # About one card order in 25 (picked by id, so the rest of the shop's random story is unchanged).
        if self.order.status == O.FULFILLED and self.plan.provider == PaymentProvider.CARD and self.order.id % 25 == 0:
            return self._chargeback()
        side = self.plan.side
        if not side or side == "quote" or self.order.status != O.FULFILLED:
            return
        self._wait(60 * 12, 60 * 24 * 4)
        kind, _, state = side.partition(":")
        if kind == "refund":
            self._refund(RefundScenario.S3, self._some_units(), reason="Damaged on arrival", final=R(state))
        elif kind == "return":
            self._return(self._some_units(), ReturnStatus(state))
        else:
            actor = self._staff()
            self._stamp(events.note_added_event(order=self.order, actor=actor,
                                                message="Customer called to confirm the delivery address."))

    def _chargeback(self) -> None:
        """The card holder disputes the payment after delivery (payment status DISPUTED)."""
        self._wait(60 * 24, 60 * 24 * 20)
        payment = next(p for p in self.order.payments if p.status == PaymentState.COMPLETED)
        self._update_payment(payment, PaymentState.DISPUTED, "Chargeback opened by the card holder")

    def _finish(self) -> None:
        order = self.order
        completed = sum((p.amount for p in order.payments if p.status == PaymentState.COMPLETED), ZERO)
        latest = max(order.payments, key=lambda p: p.id).status.value if order.payments else None
        order.payment_status = derive_payment_status(order.total, completed, order.refunded_total, latest,
                                                     cancelled=order.status == O.CANCELLED)
        order.updated_at = self.t

    # --- time and events -------------------------------------------------------------------------
    def _wait(self, low_minutes: float, high_minutes: float) -> None:
        self.t = min(self.t + timedelta(minutes=self.rng.uniform(low_minutes, high_minutes)), self.ctx.cap)

    def _stamp(self, event: OrderEvent) -> OrderEvent:
        event.id = self.ctx.ids("order_events")
        event.created_at = self.t
        return event

    def _order_event(self, type_: OrderEventType, actor: Actor, message: str, data: dict) -> OrderEvent:
        """Event types without a factory in app.orders.events (RETURN, EMAIL_SENT), built the same way."""
        event = OrderEvent(type=type_, customer_id=actor.customer_id, message=message, data=data, **actor.stamp())
        self.order.events.append(event)
        return self._stamp(event)

    def _staff(self) -> Actor:
        actor, user = self.ctx.staff_actor(self.order.branch_id)
        self.order.updated_by_id = user.id
        return actor

    def _manager(self) -> Actor:
        actor, user = self.ctx.manager_actor(self.order.branch_id)
        self.order.updated_by_id = user.id
        return actor

    def _canceller(self) -> Actor:
        if self.placed_by.role == Role.CHANNEL and self.rng.random() < 0.5:
            return self.placed_by
        if self.placed_by.role == Role.CUSTOMER and self.rng.random() < 0.4:
            return self.placed_by
        return self._staff()

    def _move(self, to: OrderStatus, actor: Actor, reason: str | None = None) -> None:
        ORDER_MACHINE.check(self.order.status, to, actor.role)
        self._stamp(events.status_changed_event(order=self.order, actor=actor, src=self.order.status, dst=to,
                                                reason=reason))
        self.order.status = to
        if to == O.FULFILLED:
            self.order.fulfilled_at = self.t

    # --- placing and paying ----------------------------------------------------------------------
    def _place(self) -> None:
        # The invoice number is issued when the order is placed (bill_no in the customer app), per branch and year.
        self.order.invoice_number = self.ctx.invoices.issue(self.order.branch_id, self.order.created_at)
        self.order.invoice_date = self.order.created_at
        channel = self.order.channel.value
        message = "Order placed" if channel == "INTERNAL" else f"Imported from {self.order.channel.label}"
        self._stamp(events.order_placed_event(order=self.order, actor=self.placed_by, message=message))
        if self.order.customer_email:
            self._wait(0.05, 0.5)
            self._order_event(OrderEventType.EMAIL_SENT, SYSTEM, "Order confirmation e-mailed",
                              {"to": self.order.customer_email, "template": "order_confirmation"})

    def _first_payment(self) -> None:
        provider, outcome = self.plan.provider, self.plan.outcome
        self._wait(0.1, 3)
        if provider == PaymentProvider.CARD and outcome != "failed" and self.rng.random() < 0.08:
            self._pay(PaymentState.FAILED)  # a declined card, then a second card that works
            self._wait(1, 10)
        if outcome == "partial":
            payment = self._pay(PaymentState.PENDING)
            self._wait(60 * 3, 60 * 20)
            payment.amount = cents(self.order.total / 2)
            self._update_payment(payment, PaymentState.COMPLETED, "Part of the EFT received")
            return
        state = {"completed": PaymentState.COMPLETED, "pending": PaymentState.PENDING,
                 "authorized": PaymentState.AUTHORIZED, "failed": PaymentState.FAILED}[outcome]
        if provider == PaymentProvider.COD:
            state = PaymentState.PENDING
        self._pay(state)

    def _settle_eft(self) -> None:
        """An EFT still pending when the shop starts work: the money arrives first."""
        for payment in self.order.payments:
            if payment.provider == PaymentProvider.EFT and payment.status == PaymentState.PENDING:
                self._wait(60, 60 * 12)
                self._update_payment(payment, PaymentState.COMPLETED, "EFT received")

    def _pay(self, state: PaymentState) -> Payment:
        order, provider = self.order, self.plan.provider
        payment = Payment(id=self.ctx.ids("payments"), provider=provider, status=state, amount=order.total,
                          currency=order.currency, created_at=self.t, updated_at=self.t,
                          reference=None if provider == PaymentProvider.COD else
                          f"{provider.value.lower()}_{self.rng.getrandbits(48):012x}")
        order.payments.append(payment)
        actor = self.placed_by if provider == PaymentProvider.CHANNEL else GATEWAY
        self._payment_event(payment, actor, f"{provider.label} payment {state.value}")
        return payment

    def _update_payment(self, payment: Payment, state: PaymentState, message: str, actor: Actor = GATEWAY) -> None:
        payment.status = state
        payment.updated_at = self.t
        self._payment_event(payment, actor, message)

    def _payment_event(self, payment: Payment, actor: Actor, message: str) -> None:
        self._stamp(events.payment_event(order=self.order, actor=actor, message=message, data={
            "payment_id": payment.id, "provider": payment.provider.value, "status": payment.status.value,
            "amount": str(payment.amount), "currency": payment.currency,
        }))

    def _cancel(self, actor: Actor, reason: str) -> None:
        """As app.orders.actions.cancel_order: the remaining items are cancelled and open payment attempts voided.
        A paid order is only cancelled by its refund (``cancels_order``), once the money went back. Demo
        cancellations never have a parcel with goods still at the branch, so there is nothing to take back."""
        self._move(O.CANCELLED, actor, reason=reason)
        for payment in self.order.payments:  # as app.orders.actions: pending attempts are cancelled
            if payment.provider == PaymentProvider.EFT and payment.status == PaymentState.PENDING:
                # An EFT that never arrived: its payment window closed first (payment status EXPIRED).
                self._update_payment(payment, PaymentState.EXPIRED, "EFT not received within 48 hours", SYSTEM)
            elif payment.status in (PaymentState.PENDING, PaymentState.AUTHORIZED):
                self._update_payment(payment, PaymentState.CANCELLED, "Payment cancelled with the order", SYSTEM)
        for item in self.order.items:
            if item.status == ItemStatus.ACTIVE:
                item.status = ItemStatus.CANCELLED

    # --- parcels ---------------------------------------------------------------------------------
    def _pack(self, *, partial_ready: bool) -> None:
        """One parcel, or two when the order is split (always for orders that end partially fulfilled)."""
        units = self._all_units()
        split = self.plan.status == O.PARTIALLY_FULFILLED or (len(units) > 1 and self.rng.random() < 0.2)
        groups = _split(units) if split else [units]
        for n, group in enumerate(groups):
            parcel = self._new_parcel(group)
            steps = [P.PACKED, P.READY]
            if partial_ready and n == len(groups) - 1:  # the last box may still be on the packing table
                steps = self.rng.choices(([P.PACKED, P.READY], [P.PACKED], []), (80, 15, 5))[0]
                if self.plan.side == "box:OPEN":  # one such box for sure, so the demo shows every parcel status
                    steps = []
            for status in steps:
                self._wait(5, 90)
                self._move_parcel(parcel, status, self._staff())

    def _new_parcel(self, units: list[tuple[OrderItem, int]]) -> Parcel:
        order, rng = self.order, self.rng
        _actor, user = self.ctx.staff_actor(order.branch_id)
        if order.fulfilment_method.value == "COLLECTION":
            method = ParcelMethod.COLLECTION
        else:
            own_driver = rng.random() < 0.3 and not self.plan.courier
            method = ParcelMethod.OWN_DRIVER if own_driver else ParcelMethod.COURIER
        courier = rng.choice(names.COURIERS) if method == ParcelMethod.COURIER else None
        tracking = f"{courier[:3].upper()}{rng.randrange(10**9, 10**10)}" if courier else None
        address = order.shipping_address or {}
        parcel = Parcel(
            id=self.ctx.ids("parcels"), code=self.ctx.codes("PCL", self.t), branch_id=order.branch_id,
            method=method, status=P.OPEN, courier=courier, tracking_number=tracking,
            tracking_url=f"https://track.example.test/{tracking}" if tracking else None,
            driver_name=rng.choice(names.DRIVERS) if method == ParcelMethod.OWN_DRIVER else None,
            driver_phone="+27 82 555 0199" if method == ParcelMethod.OWN_DRIVER else None,
            recipient_name=order.customer_name, recipient_phone=order.customer_phone,
            recipient_address=None if method == ParcelMethod.COLLECTION else address,
            collection_point=self.ctx.branch_name(order.branch_id) if method == ParcelMethod.COLLECTION else None,
            collection_code=f"{rng.randrange(10**5, 10**6)}" if method == ParcelMethod.COLLECTION else None,
            weight_grams=sum(q for _i, q in units) * rng.randrange(150, 1200),
            estimated_delivery_at=order.expected_delivery_at, created_at=self.t, updated_at=self.t,
            created_by_id=user.id,
        )
        for item, quantity in units:
            parcel.items.append(ParcelItem(id=self.ctx.ids("parcel_items"), order_id=order.id, order_item=item,
                                           quantity=quantity))
        self._parcel_event(parcel, None, P.OPEN, Actor.staff(user))
        self.parcels.append(parcel)
        return parcel

    def _move_parcel(self, parcel: Parcel, to: ParcelStatus, actor: Actor, location: str | None = None,
                     message: str | None = None) -> None:
        PARCEL_MACHINE.check(parcel.status, to, actor.role)
        src, parcel.status, parcel.updated_at = parcel.status, to, self.t
        if to in HANDED_OVER:
            parcel.delivered_at = self.t
        self._parcel_event(parcel, src, to, actor, location, message)

    def _parcel_event(self, parcel: Parcel, src: ParcelStatus | None, dst: ParcelStatus, actor: Actor,
                      location: str | None = None, message: str | None = None) -> None:
        parcel.events.append(ParcelEvent(
            id=self.ctx.ids("parcel_events"), created_at=self.t, from_status=src.value if src else None,
            to_status=dst.value, location=location, message=message, data={}, **actor.stamp(),
        ))
        if src is None or dst in (P.COLLECTED_BY_DRIVER, P.DELIVERED, P.COLLECTED, P.RETURNED):
            text = "created" if src is None else dst.label.lower()
            self._stamp(events.parcel_event(order=self.order, actor=actor, message=f"Parcel {parcel.code} {text}",
                                            data={"parcel_id": parcel.id, "parcel_code": parcel.code,
                                                  "from": src.value if src else None, "to": dst.value}))

    def _deliver(self, *, partial: bool) -> None:
        """Hand parcels over one by one; after each, the order's status is what its parcels imply."""
        for n, parcel in enumerate(self.parcels):
            if partial and n > 0:
                self._leave_on_the_way(parcel)
                continue
            self._hand_over(parcel)
            self._mark_fulfilled_items()
            new = determine_order_status(self.order.status, self._parcel_states(), self._all_in_parcels())
            if new != self.order.status:
                if new == O.FULFILLED:
                    self._collect_cash()
                self._move(new, SYSTEM)

    def _hand_over(self, parcel: Parcel) -> None:
        city = (self.order.shipping_address or {}).get("city") or "the branch"
        if parcel.method == ParcelMethod.COLLECTION:
            self._wait(60 * 2, 60 * 48)
            self._move_parcel(parcel, P.COLLECTED, self._staff(), message="Collected by the customer")
            return
        self._wait(30, 60 * 20)
        self._move_parcel(parcel, P.COLLECTED_BY_DRIVER, self._staff())
        self._wait(10, 120)
        self._move_parcel(parcel, P.IN_TRANSIT, COURIER, location=f"{parcel.courier or 'Driver'} hub")
        if self.rng.random() < 0.3:
            self._wait(60, 60 * 24)
            self._move_parcel(parcel, P.ARRIVED, COURIER, location=city)
        self._wait(20, 60 * 24)
        self._move_parcel(parcel, P.DELIVERED, COURIER, location=city, message="Signed for by the customer")

    def _leave_on_the_way(self, parcel: Parcel) -> None:
        if parcel.method == ParcelMethod.COLLECTION or self.rng.random() < 0.4:
            return  # waiting at READY
        self._wait(30, 60 * 6)
        self._move_parcel(parcel, P.COLLECTED_BY_DRIVER, self._staff())
        if self.rng.random() < 0.6:
            self._wait(10, 120)
            self._move_parcel(parcel, P.IN_TRANSIT, COURIER, location=f"{parcel.courier or 'Driver'} hub")

    def _failed_delivery(self) -> None:
        for parcel in self.parcels:
            self._wait(30, 60 * 12)
            self._move_parcel(parcel, P.COLLECTED_BY_DRIVER, self._staff())
            self._wait(10, 120)
            self._move_parcel(parcel, P.IN_TRANSIT, COURIER)
            self._wait(60, 60 * 24)
            self._move_parcel(parcel, P.RETURNED, COURIER, message="Customer not available; returned to sender")

    def _parcel_states(self) -> list[tuple[bool, bool]]:
        return [(p.status in (P.DELIVERED, P.COLLECTED, P.RETURNED), p.status in HANDED_OVER) for p in self.parcels]

    def _all_in_parcels(self) -> bool:
        packed: dict[int, int] = {}
        for parcel in self.parcels:
            for pi in parcel.items:
                packed[pi.order_item.id] = packed.get(pi.order_item.id, 0) + pi.quantity
        return all(packed.get(i.id, 0) >= i.quantity for i in self.order.items)

    def _mark_fulfilled_items(self) -> None:
        handed: dict[int, int] = {}
        for parcel in self.parcels:
            if parcel.status in HANDED_OVER:
                for pi in parcel.items:
                    handed[pi.order_item.id] = handed.get(pi.order_item.id, 0) + pi.quantity
        for item in self.order.items:
            if handed.get(item.id, 0) >= item.quantity:
                item.status = ItemStatus.FULFILLED

    def _collect_cash(self) -> None:
        for payment in self.order.payments:
            if payment.provider == PaymentProvider.COD and payment.status == PaymentState.PENDING:
                self._update_payment(payment, PaymentState.COMPLETED, "Cash collected on delivery", COURIER)

    # --- refunds and returns ---------------------------------------------------------------------
    def _all_units(self) -> list[tuple[OrderItem, int]]:
        return [(item, item.quantity) for item in self.order.items]

    def _some_units(self) -> list[tuple[OrderItem, int]]:
        """Part of the order: the whole last line when there are several, else one unit of the only line
        (plans give partial stories at least two units, so this is never the whole order for them)."""
        units = self._all_units()
        return [units[-1]] if len(units) > 1 else [(units[0][0], 1)]

    def _refund(self, scenario: RefundScenario, units: list[tuple[OrderItem, int]], *, reason: str,
                amount: Decimal | None = None, cancels_order: bool = False, final: RefundStatus = R.COMPLETED,
                return_request: ReturnRequest | None = None) -> Refund:
        order = self.order
        items = self._refund_items(units)
        items_amount = amount if amount is not None else sum((ri.amount for ri in items), ZERO)
        fee = order.delivery_fee if scenario.refunds_delivery_fee else ZERO
        creator_actor, creator = self.ctx.staff_actor(order.branch_id)
        refund = Refund(
            id=self.ctx.ids("refunds"), code=self.ctx.codes("REF", self.t), order_id=order.id, scenario=scenario,
            destination=self._destination(scenario), status=R.REQUESTED, items_amount=items_amount,
            delivery_fee_amount=fee, total=items_amount + fee, currency=order.currency, reason=reason,
            cancels_order=cancels_order, created_at=self.t, updated_at=self.t, created_by_id=creator.id,
            items=items,
        )
        refund.idempotency_key = f"demo-{refund.code}"
        self.refunds.append(refund)
        self._refund_event(refund, None, R.REQUESTED, creator_actor)
        path = {R.REQUESTED: [], R.APPROVED: [R.APPROVED], R.REJECTED: [R.REJECTED],
                R.FAILED: [R.APPROVED, R.FAILED], R.COMPLETED: [R.APPROVED, R.COMPLETED]}[final]
        manager_actor, manager = self.ctx.manager_actor(order.branch_id)
        for status in path:
            self._wait(10, 60 * 8)
            actor = SYSTEM if status == R.FAILED else manager_actor
            REFUND_MACHINE.check(refund.status, status, actor.role)
            src, refund.status, refund.updated_at = refund.status, status, self.t
            if status in (R.APPROVED, R.REJECTED):
                refund.decided_by_id = manager.id
            self._refund_event(refund, src, status, actor)
        if final == R.COMPLETED:
            self._complete(refund, manager_actor, manager.id, return_request)
        return refund

    def _refund_items(self, units: list[tuple[OrderItem, int]]) -> list[RefundItem]:
        """Each unit's share of what was paid for the lines: the order discount spread by value, the last line
        taking the rounding so a full refund is exactly ``subtotal − discount``."""
        order = self.order
        whole = sum(q for _i, q in units) == sum(i.quantity for i in order.items) and len(units) == len(order.items)
        result, given = [], ZERO
        for n, (item, quantity) in enumerate(units):
            gross = item.unit_price * quantity
            share = cents(order.discount_total * gross / order.subtotal) if order.subtotal else ZERO
            amount = gross - share
            if whole and n == len(units) - 1:
                amount = order.subtotal - order.discount_total - given
            given += amount
            result.append(RefundItem(id=self.ctx.ids("refund_items"), order_item=item, quantity=quantity,
                                     amount=amount))
        return result

    def _destination(self, scenario: RefundScenario) -> RefundDestination:
        if self.plan.destination is not None and (self.order.customer_id or
                                                  self.plan.destination != RefundDestination.WALLET):
            return self.plan.destination
        if scenario == RefundScenario.S4:
            return RefundDestination.VOUCHER
        if scenario == RefundScenario.S5 or self.order.customer_id is None or self.order.channel.value != "INTERNAL":
            return RefundDestination.EXTERNAL
        return self.rng.choices(list(RefundDestination), (45, 15, 40))[0]

    def _complete(self, refund: Refund, manager_actor: Actor, manager_id: int,
                  return_request: ReturnRequest | None) -> None:
        """Money moved: the destination gets it, the items and the order record it, the order status follows."""
        order = self.order
        refund.completed_at = self.t
        order.refunded_total += refund.total
        for ri in refund.items:
            item = ri.order_item
            item.refunded_quantity += ri.quantity
            if item.refunded_quantity >= item.quantity:
                item.status = ItemStatus.REFUNDED
        if refund.destination == RefundDestination.WALLET:
            self.others.append(WalletEntry(
                id=self.ctx.ids("wallet_entries"), customer_id=order.customer_id, kind=WalletEntryKind.CREDIT,
                amount=refund.total, currency=refund.currency, description=f"Refund {refund.code} for {order.code}",
                refund_id=refund.id, order_id=order.id, created_at=self.t, created_by_id=manager_id))
        elif refund.destination == RefundDestination.VOUCHER:
            self.others.append(Voucher(
                id=self.ctx.ids("vouchers"), code=f"VCH-{self.rng.getrandbits(40):010X}",
                customer_id=order.customer_id, amount=refund.total, balance=refund.total, currency=refund.currency,
                expires_at=self.t + timedelta(days=365), refund_id=refund.id, created_at=self.t,
                created_by_id=manager_id))
        if return_request is not None:
            return_request.refund_id = refund.id
            self._return_step(return_request, ReturnStatus.REFUNDED)
        if refund.cancels_order:  # the money is back: the refund cancels the order it was for
            self._cancel(manager_actor, refund.reason)
        paid = sum((p.amount for p in order.payments if p.status == PaymentState.COMPLETED), ZERO)
        to = O.REFUNDED if order.refunded_total >= paid else O.PARTIALLY_REFUNDED
        if to != order.status:
            self._move(to, SYSTEM)

    def _refund_event(self, refund: Refund, src: RefundStatus | None, dst: RefundStatus, actor: Actor) -> None:
        self._stamp(events.refund_event(
            order=self.order, actor=actor, message=f"Refund {refund.code} {dst.label.lower()}",
            data={"refund_id": refund.id, "refund_code": refund.code, "scenario": refund.scenario.value,
                  "destination": refund.destination.value, "total": str(refund.total)},
            src=src, dst=dst))

    def _return(self, units: list[tuple[OrderItem, int]], final: ReturnStatus) -> ReturnRequest:
        order = self.order
        request = ReturnRequest(
            id=self.ctx.ids("return_requests"), order_id=order.id, customer_id=order.customer_id,
            reason=self.rng.choice(names.RETURN_REASONS), status=ReturnStatus.REQUESTED, created_at=self.t,
            updated_at=self.t,
            items=[ReturnItem(id=self.ctx.ids("return_items"), order_item_id=item.id, quantity=quantity)
                   for item, quantity in units],
        )
        self.others.append(request)
        self._return_event(request, None, ReturnStatus.REQUESTED)
        for item, _q in units:
            item.status = ItemStatus.RETURN_REQUESTED
        path = {ReturnStatus.REQUESTED: [], ReturnStatus.APPROVED: [ReturnStatus.APPROVED],
                ReturnStatus.REJECTED: [ReturnStatus.REJECTED],
                ReturnStatus.RECEIVED: [ReturnStatus.APPROVED, ReturnStatus.RECEIVED]}[final]
        for status in path:
            self._wait(60, 60 * 48)
            self._return_step(request, status)
        return request

    def _return_step(self, request: ReturnRequest, status: ReturnStatus) -> None:
        actor, user = self.ctx.manager_actor(self.order.branch_id)
        src, request.status, request.updated_at = request.status, status, self.t
        if status in (ReturnStatus.APPROVED, ReturnStatus.REJECTED):
            request.decided_by_id = user.id
        item_status = {ReturnStatus.REJECTED: ItemStatus.FULFILLED, ReturnStatus.RECEIVED: ItemStatus.RETURNED}
        if status in item_status:
            for ri in request.items:
                item = next(i for i in self.order.items if i.id == ri.order_item_id)
                item.status = item_status[status]
        self._return_event(request, src, status, actor)

    def _return_event(self, request: ReturnRequest, src: ReturnStatus | None, dst: ReturnStatus,
                      actor: Actor | None = None) -> None:
        if actor is None:
            actor = (Actor(ActorType.CUSTOMER, Role.CUSTOMER, self.order.customer_name,
                           customer_id=self.order.customer_id) if self.order.customer_id else SYSTEM)
        event = self._order_event(OrderEventType.RETURN, actor, f"Return {dst.value.lower()}: {request.reason}",
                                  {"return_request_id": request.id, "status": dst.value})
        event.from_status, event.to_status = (src.value if src else None), dst.value


def _split(units: list[tuple[OrderItem, int]]) -> list[list[tuple[OrderItem, int]]]:
    """Two non-empty parcels: lines split in half, or one line's quantity split when there is one line."""
    if len(units) > 1:
        half = len(units) // 2
        return [units[:half], units[half:]]
    (item, quantity), = units
    return [[(item, quantity // 2)], [(item, quantity - quantity // 2)]]
