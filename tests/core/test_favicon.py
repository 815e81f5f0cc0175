"""Pages that name no icon (the admin's) make the browser ask /favicon.ico: it gets the
site's icon instead of a 404 on the console."""

import pytest


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/sgu/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200


@pytest.mark.django_db
def test_favicon_ico_only_answers_reads(client):
    assert client.post("/favicon.ico").status_code == 405
