"""select: Catalogue + profile + build date -> the assets that build publishes, with their badges.

A profile (portal.yaml `profiles`) names the statuses and visibilities it shows. Withdrawn
rights always keep an asset out. Rights windows (expiry, embargo) keep an asset out of every
profile that does not badge; a badging profile (the staff preview) shows embargoed and
expired assets too, each with a badge saying so, because the issue asks for them to be
"present, badged, in the internal one". Everything is judged on `today`, the build date, so a
nightly rebuild drops what expired overnight without anyone editing a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from builder.catalogue import Catalogue
from builder.models import Asset, Status, Visibility
from builder.settings import Profile


class UnknownProfile(ValueError):
    """A profile name that portal.yaml does not define."""


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str  # "info" (neutral), "warn" (act soon), "danger" (do not use yet / any more)


@dataclass(frozen=True)
class Selection:
    profile: str
    today: dt.date
    assets: tuple[Asset, ...]  # sorted by id
    badges: dict[str, tuple[Badge, ...]] = field(default_factory=dict)  # asset id -> badges

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(asset.id for asset in self.assets)

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self.ids

    def badges_of(self, asset_id: str) -> tuple[Badge, ...]:
        return self.badges.get(asset_id, ())


def long_date(day: dt.date) -> str:
    """1 March 2027: unambiguous in every locale the portal is read in."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def days_word(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def in_rights_window(asset: Asset, today: dt.date) -> bool:
    rights = asset.rights
    return (rights.expires is None or rights.expires >= today) and (
        rights.embargo_until is None or rights.embargo_until <= today
    )


def rights_badges(asset: Asset, today: dt.date, warning_days: int) -> list[Badge]:
    """What the rights panel says at a glance: expired, embargoed or expiring soon."""
    rights = asset.rights
    badges = []
    if rights.embargo_until and rights.embargo_until > today:
        badges.append(Badge(f"embargoed until {long_date(rights.embargo_until)}", "danger"))
    if rights.expires:
        left = (rights.expires - today).days
        if left < 0:
            badges.append(Badge(f"rights expired on {long_date(rights.expires)}", "danger"))
        elif left == 0:
            badges.append(Badge("expires today", "warn"))
        elif left <= warning_days:
            badges.append(Badge(f"expires in {days_word(left)}", "warn"))
    return badges


def status_badges(asset: Asset) -> list[Badge]:
    badges = []
    if asset.visibility is Visibility.INTERNAL:
        badges.append(Badge("internal only", "info"))
    if asset.status is Status.IN_REVIEW:
        badges.append(Badge("in review", "warn"))
    elif asset.status is Status.DRAFT:
        badges.append(Badge("draft", "warn"))
    elif asset.status is Status.ARCHIVED:
        badges.append(Badge("archived", "info"))
    return badges


def publishes(asset: Asset, profile: Profile, today: dt.date) -> bool:
    if asset.rights.withdrawn_on is not None:
        return False
    if asset.status not in profile.statuses or asset.visibility not in profile.visibilities:
        return False
    return profile.badge or in_rights_window(asset, today)


def select(catalogue: Catalogue, profile: str, today: dt.date) -> Selection:
    """The assets `profile` publishes on `today`, sorted by id, with their badges."""
    profiles = catalogue.settings.profiles
    if profile not in profiles:
        raise UnknownProfile(f"unknown profile '{profile}': portal.yaml defines {', '.join(sorted(profiles))}")
    chosen = profiles[profile]
    warning_days = catalogue.settings.expiry_warning_days
    assets = tuple(sorted((a for a in catalogue.assets if publishes(a, chosen, today)), key=lambda a: a.id))
    badges: dict[str, tuple[Badge, ...]] = {}
    for asset in assets:
        found = (status_badges(asset) if chosen.badge else []) + rights_badges(asset, today, warning_days)
        if found:
            badges[asset.id] = tuple(found)
    return Selection(profile=profile, today=today, assets=assets, badges=badges)
