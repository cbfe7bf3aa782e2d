"""The voucher mutator (PROTOCOL.md, Mutators): ``voucher.redeem``."""

from __future__ import annotations

from backend.access.policy import VOUCHER_REDEEMERS
from backend.aftersales.vouchers.schemas import VoucherRedeemArgs
from backend.aftersales.vouchers.services import Redemption, redeem_voucher
from backend.offline.context import MutationContext
from sync.registry import MutatorRegistry

REDEEMER_ROLES = [role.value for role in VOUCHER_REDEEMERS]


def register(registry: MutatorRegistry) -> None:
    @registry.register("voucher.redeem", VoucherRedeemArgs, REDEEMER_ROLES)
    async def redeem(ctx: MutationContext, args: VoucherRedeemArgs) -> None:
        """Offline redemptions merge by the server's decision: one that no
        longer fits (another device spent the voucher first, it expired)
        is rejected with the reason and the balance left."""
        asked = Redemption(
            id=args.redemption_id,
            code=args.code,
            amount_cents=args.amount_cents,
            service_order_id=args.service_order_id,
            at=ctx.corrected_at,
        )
        await redeem_voucher(ctx.session, ctx.actor, asked)
