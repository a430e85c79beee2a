"""A URL that matches nothing: JSON in the API's error shape under /api/, the site's page
elsewhere."""


def test_an_api_url_with_a_malformed_id_answers_json(api_client, db):
    response = api_client.get("/api/v1/households/not-a-uuid/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_an_api_url_that_matches_no_endpoint_answers_json(api_client, db):
    response = api_client.post("/api/v1/no-such-endpoint/", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


def test_a_page_that_matches_nothing_is_the_site_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Not found" in response.content
