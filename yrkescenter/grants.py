"""The arithmetic of the state grant, shared by the rectors' allocation (planned places) and the
cost settlement (places used by started students). Plain values in, plain values out: no
database, so the figures can be checked by hand.

Rules, as the page explains them to rectors:

- One årsstudieplats is 800 vp; a seat in an offering is worth `vp / 800` places.
- The municipalities together must finance `municipal` places for every `state` state-funded
  places (the grant year's co-financing ratio). State places beyond what their commitments
  carry (`committed * state / municipal`) cannot be paid by the grant.
- The grant that the usable places earn is `places * rate of their grant category`; what the
  state granted beyond that is returned to Skolverket.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PLACE_VP = 800
CENT = Decimal("0.01")


def places_for(*, seats: int, vp: int) -> Decimal:
    """Årsstudieplatser of `seats` seats in a programme of `vp` verksamhetspoäng."""
    return Decimal(seats * vp) / PLACE_VP


def kronor(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class GrantLine:
    """State-funded places of one offering (or one student) and the grant rate they earn."""

    places: Decimal
    rate: Decimal  # SEK per årsstudieplats for the programme's grant category


@dataclass(frozen=True)
class GrantForecast:
    granted_places: Decimal
    granted_amount: Decimal
    state_places: Decimal  # planned or used state-funded places
    state_amount: Decimal  # what those places would earn at their rates
    required_municipal_places: Decimal  # what the co-financing rule asks for them
    committed_places: Decimal
    usable_places: Decimal  # state places the commitments carry
    usable_amount: Decimal
    returned_places: Decimal
    returned_amount: Decimal

    @property
    def exceeds_grant(self) -> bool:
        return self.state_places > self.granted_places

    @property
    def meets_cofinancing(self) -> bool:
        return self.committed_places >= self.required_municipal_places

    @property
    def cofinancing_shortfall(self) -> Decimal:
        return max(Decimal(0), self.required_municipal_places - self.committed_places)


def grant_forecast(
    *,
    granted_places: Decimal,
    granted_amount: Decimal,
    cofinancing_municipal: int,
    cofinancing_state: int,
    committed_places: Decimal,
    lines: list[GrantLine],
) -> GrantForecast:
    """What the grant pays for `lines` and how much of it goes back if nothing changes.

    A shortfall in co-financing scales every line down by the same share, so the forecast does
    not depend on the order of the offerings."""
    state_places = sum((line.places for line in lines), Decimal(0))
    state_amount = sum((line.places * line.rate for line in lines), Decimal(0))
    required = state_places * cofinancing_municipal / cofinancing_state
    if cofinancing_municipal == 0 or state_places == 0:
        share = Decimal(1)
    else:
        carried = committed_places * cofinancing_state / cofinancing_municipal
        share = min(Decimal(1), carried / state_places)
    # Places beyond the grant are not paid either: the grant caps the usable places.
    usable_places = min(state_places * share, granted_places)
    usable_amount = state_amount * share
    if state_places * share > granted_places and state_places:
        usable_amount = usable_amount * granted_places / (state_places * share)
    usable_amount = min(usable_amount, granted_amount)
    return GrantForecast(
        granted_places=granted_places,
        granted_amount=granted_amount,
        state_places=state_places.quantize(CENT, rounding=ROUND_HALF_UP),
        state_amount=kronor(state_amount),
        required_municipal_places=required.quantize(CENT, rounding=ROUND_HALF_UP),
        committed_places=committed_places,
        usable_places=usable_places.quantize(CENT, rounding=ROUND_HALF_UP),
        usable_amount=kronor(usable_amount),
        returned_places=max(Decimal(0), granted_places - usable_places).quantize(
            CENT, rounding=ROUND_HALF_UP
        ),
        returned_amount=kronor(max(Decimal(0), granted_amount - usable_amount)),
    )
