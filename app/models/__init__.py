"""All models, importable from one place (and all registered for Alembic)."""
from app.models.catalog import Product, ProductVariant
from app.models.customer import Basket, Customer, CustomerAddress
from app.models.order import (
    ActorType, Order, OrderEvent, OrderEventType, OrderItem, Payment, PaymentProvider, PaymentState, SalesChannel,
)
from app.models.parcel import Parcel, ParcelEvent, ParcelItem
from app.models.quote import Quote, QuoteEvent, QuoteLine
from app.models.refund import (
    Refund, RefundItem, ReturnItem, ReturnRequest, ReturnStatus, Voucher, WalletEntry, WalletEntryKind,
)
from app.models.report import ExportJob, ExportStatus
from app.models.staff import Branch, BranchGroup, SavedView, SignInAttempt, StaffRole, StaffUser

__all__ = [
    "ActorType", "Basket", "Branch", "BranchGroup", "Customer", "CustomerAddress", "ExportJob", "ExportStatus",
    "Order", "OrderEvent", "OrderEventType", "OrderItem", "Parcel", "ParcelEvent", "ParcelItem", "Payment",
    "PaymentProvider", "PaymentState", "Product", "ProductVariant", "Quote", "QuoteEvent", "QuoteLine", "Refund",
    "RefundItem", "ReturnItem", "ReturnRequest", "ReturnStatus", "SalesChannel", "SavedView", "SignInAttempt",
    "StaffRole", "StaffUser", "Voucher", "WalletEntry", "WalletEntryKind",
]
