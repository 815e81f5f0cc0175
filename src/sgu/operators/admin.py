"""The regulator's data on scope (instructivo point ii): the subscriber threshold and each
operator's subscribers, both with history (a new figure is a new row from its date on), and
each operator's own attention channels (where a citizen goes when the SGU does not bind it).
The admin's changes are audited (core/admin_site.py)."""

from django.contrib import admin

from sgu.core.reference import BumpsReferenceStamp
from sgu.operators.models import OwnChannels, ScopeThreshold, SubscriberCount


# The threshold and the counts are kept per process with the catalog (operators.selectors.
# is_bound): a change made here bumps the reference stamp.
@admin.register(ScopeThreshold)
class ScopeThresholdAdmin(BumpsReferenceStamp):
    list_display = ("valid_from", "subscribers", "note")
    exclude = ("recorded_at",)


@admin.register(SubscriberCount)
class SubscriberCountAdmin(BumpsReferenceStamp):
    list_display = ("operator", "subscribers", "valid_from", "source")
    list_filter = ("operator",)
    list_select_related = ("operator",)
    date_hierarchy = "valid_from"
    exclude = ("recorded_at",)


@admin.register(OwnChannels)
class OwnChannelsAdmin(admin.ModelAdmin):
    list_display = ("operator", "web", "phone")
    list_select_related = ("operator",)
