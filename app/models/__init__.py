"""All models, importable from one place (and all registered for Alembic)."""
from app.models.catalog import Product, ProductVariant
from app.models.customer import Basket, Customer, CustomerAddress
from app.models.order import (
    ActorType, InvoiceSequence, Order, OrderEvent, OrderEventType, OrderItem, Payment, PaymentProvider, PaymentState,
    SalesChannel,
)
from app.models.parcel import Parcel, ParcelEvent, ParcelItem
from app.models.quote import Quote, QuoteEvent, QuoteLine
from app.models.refund import (
    Refund, RefundItem, ReturnItem, ReturnRequest, ReturnStatus, Voucher, WalletEntry, WalletEntryKind,
)
from app.models.report import ExportJob, ExportStatus
from app.models.staff import Branch, BranchGroup, SavedView, SignInAttempt, StaffRole, StaffUser

# Objects that migrations create by hand and the models do not describe: the order search tables
# (PostgreSQL pg_trgm, SQLite FTS5) and PostgreSQL-only indexes (migration 0002); the case-insensitive
# email index (migration 0006), an expression on PostgreSQL and a collation on SQLite.
HAND_MANAGED = frozenset({
    "order_search", "ix_order_search_doc", "orders_fts",
    "ix_orders_created_at_id", "ix_orders_updated_at_id", "ix_orders_id_branch_id",
    "ix_orders_customer_email_lower", "ix_order_search_branch_id_doc",
})


def include_in_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: autogenerate leaves hand-managed objects alone."""
    return not (name in HAND_MANAGED or (type_ == "table" and (name or "").startswith("orders_fts")))


__all__ = [
    "ActorType", "Basket", "Branch", "BranchGroup", "Customer", "CustomerAddress", "ExportJob", "ExportStatus",
    "InvoiceSequence",
    "Order", "OrderEvent", "OrderEventType", "OrderItem", "Parcel", "ParcelEvent", "ParcelItem", "Payment",
    "PaymentProvider", "PaymentState", "Product", "ProductVariant", "Quote", "QuoteEvent", "QuoteLine", "Refund",
    "RefundItem", "ReturnItem", "ReturnRequest", "ReturnStatus", "SalesChannel", "SavedView", "SignInAttempt",
    "StaffRole", "StaffUser", "Voucher", "WalletEntry", "WalletEntryKind",
]
