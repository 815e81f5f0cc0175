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
