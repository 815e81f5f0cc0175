"""An app's block of settings.SGU: read as a dict, refused loudly when it is not one."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sgu.core import config


def test_a_missing_section_is_empty(settings):
    settings.SGU = {**settings.SGU}
    settings.SGU.pop("SUGGESTIONS", None)
    assert config.section("SUGGESTIONS") == {}


def test_a_section_is_read_as_given(settings):
    settings.SGU = {**settings.SGU, "SUGGESTIONS": {"RATE_LIMIT": 9}}
    assert config.section("SUGGESTIONS") == {"RATE_LIMIT": 9}


def test_a_section_that_is_not_a_dict_is_refused_by_name(settings):
    settings.SGU = {**settings.SGU, "SUGGESTIONS": "5"}
    with pytest.raises(ImproperlyConfigured, match="SUGGESTIONS"):
        config.section("SUGGESTIONS")


def test_a_list_of_names_is_read_as_a_set(settings):
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1", "sink"]}
    assert config.strings("WEBHOOK_ALLOW_HTTP_HOSTS") == {"127.0.0.1", "sink"}
    settings.SGU = {k: v for k, v in settings.SGU.items() if k != "WEBHOOK_ALLOW_HTTP_HOSTS"}
    assert config.strings("WEBHOOK_ALLOW_HTTP_HOSTS") == frozenset()


def test_a_list_of_names_that_is_a_single_text_is_refused(settings):
    # One string would otherwise be read as a set of its characters.
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1"}
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_ALLOW_HTTP_HOSTS"):
        config.strings("WEBHOOK_ALLOW_HTTP_HOSTS")
