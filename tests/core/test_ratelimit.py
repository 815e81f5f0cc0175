from datetime import UTC, datetime, timedelta

import pytest

from sgu.core.models import RateCounter
from sgu.core.ratelimit import RateLimited, client_ip, hit
from sgu.core.services import purge_rate_counters

T0 = datetime(2026, 3, 2, 15, 0, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_given_a_limit_of_3_when_the_4th_request_arrives_in_the_window_then_it_is_refused():
    for _ in range(3):
        hit("lookup:ip:1.2.3.4", limit=3, window=60, now=T0)
    with pytest.raises(RateLimited) as refused:
        hit("lookup:ip:1.2.3.4", limit=3, window=60, now=T0 + timedelta(seconds=5))
    assert refused.value.status == 429
    # The window started at 15:00:00 and ends at 15:01:00; it is 15:00:15 now.
    assert refused.value.retry_after == 46
    assert "46 segundos" in refused.value.detail


@pytest.mark.django_db
def test_keys_are_counted_apart_and_a_new_window_starts_from_zero():
    for _ in range(2):
        hit("a", limit=2, window=60, now=T0)
    hit("b", limit=2, window=60, now=T0)  # another caller is not affected
    with pytest.raises(RateLimited):
        hit("a", limit=2, window=60, now=T0)
    hit("a", limit=2, window=60, now=T0 + timedelta(seconds=60))  # next window
    assert RateCounter.objects.filter(key="a").count() == 2


@pytest.mark.django_db
def test_the_purge_forgets_windows_older_than_a_day():
    hit("old", limit=5, window=60, now=datetime.now(UTC) - timedelta(days=2))
    hit("new", limit=5, window=60)
    assert purge_rate_counters() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


def test_client_ip_ignores_x_forwarded_for_unless_trusted(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1", REMOTE_ADDR="10.0.0.2")
    settings.SGU = {**settings.SGU, "TRUST_X_FORWARDED_FOR": False}
    assert client_ip(request) == "10.0.0.2"
    settings.SGU = {**settings.SGU, "TRUST_X_FORWARDED_FOR": True}
    assert client_ip(request) == "9.9.9.9"
