"""What goes wrong with a real site: missing plugin, lost fields, credentials, rights, downtime."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from bot.errors import PublishError, StopTarget, TryLater
from bot.net.retry import RetryPolicy
from bot.publish.wordpress import WordPressPublisher
from tests.wordpress.conftest import DEPECHE_PLUGIN, PLUGINS, french_draft, submission

pytestmark = pytest.mark.wordpress

APIS = ["rest", "xmlrpc"]
QUICK = RetryPolicy(attempts=2, base=0.05, cap=0.1, jitter=0)


def uid() -> str:
    return f"story-{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize("api", APIS)
def test_without_the_mu_plugin_publishing_stops_loudly_and_writes_nothing(wp, api):
    wp.remove_plugin("depeche.php")
    story = uid()
    with pytest.raises(PublishError) as raised:
        WordPressPublisher(wp.settings(api=api), wp.password, retry=QUICK).publish(
            submission(story)
        )
    error = raised.value
    assert isinstance(error, StopTarget)
    message = str(error)
    for field in (
        "_yoast_wpseo_title",
        "_yoast_wpseo_metadesc",
        "_yoast_wpseo_focuskw",
        "depeche_story_id",
    ):
        assert field in message
    assert "depeche wp plugin" in message
    wp.install_plugin(DEPECHE_PLUGIN, "depeche.php")  # to look the story up
    assert wp.posts_of_story(story) == []


@pytest.mark.parametrize("api", APIS)
def test_a_field_that_does_not_stick_is_an_error_naming_it(wp, api):
    wp.install_plugin(PLUGINS / "eat-metadesc.php")
    with pytest.raises(PublishError) as raised:
        WordPressPublisher(wp.settings(api=api), wp.password, retry=QUICK).publish(
            submission(uid())
        )
    message = str(raised.value)
    assert isinstance(raised.value, StopTarget)
    assert "_yoast_wpseo_metadesc" in message and "_yoast_wpseo_title" not in message
    assert "depeche wp plugin" in message


def test_keys_an_seo_plugin_registered_keep_its_sanitizer(wp):
    wp.install_plugin(PLUGINS / "fake-yoast.php")
    draft = french_draft(seo_title=f"Nantes à vélo {uuid.uuid4().hex[:6]}")
    receipt = WordPressPublisher(wp.settings(), wp.password).publish(submission(uid(), draft=draft))
    assert wp.post(receipt.post_id)["meta"]["_yoast_wpseo_title"] == draft.seo_title
    seen = wp.get("/fake-yoast/v1/seen")  # what the plugin's own sanitizer received
    assert seen["_yoast_wpseo_title"] == draft.seo_title
    assert seen["_yoast_wpseo_metadesc"] == draft.meta_description


@pytest.mark.parametrize("api", APIS)
def test_a_bad_password_stops_the_site_with_user_and_url_and_no_password(wp, api):
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"
    with pytest.raises(PublishError) as raised:
        WordPressPublisher(wp.settings(api=api), wrong, retry=QUICK).publish(submission(uid()))
    error = raised.value
    assert isinstance(error, StopTarget)
    message = str(error)
    assert "'depeche'" in message and wp.url in message
    assert "WP_ENVIRONMENT_TYPE" in message
    assert wrong not in message and "abcd" not in message and wp.password not in message


@pytest.mark.parametrize("api", APIS)
def test_a_category_an_author_cannot_create_is_left_to_the_editor(wp, api):
    # An author (or the depeche_bot role) may pick terms, not create them: the draft lands
    # without the category and its note asks an editor to create it.
    settings = wp.settings(api=api, user=wp.author_user)
    publisher = WordPressPublisher(settings, wp.author_password, retry=QUICK)
    receipt = publisher.publish(submission(uid(), category=f"Catégorie neuve {api}"))
    post = wp.post(receipt.post_id)
    assert post["status"] == "draft" and post["categories"] in ([], [1])
    note = post["meta"]["_depeche_editor_note"]
    assert f"catégorie « Catégorie neuve {api} » absente du site : à créer par un éditeur" in note


def test_an_author_can_use_a_category_that_exists(wp):
    WordPressPublisher(wp.settings(), wp.password).publish(submission(uid(), category="Culture"))
    settings = wp.settings(user=wp.author_user)
    receipt = WordPressPublisher(settings, wp.author_password).publish(
        submission(uid(), category="Culture", draft=french_draft(tags=["vélo"]))
    )
    assert wp.post(receipt.post_id)["status"] == "draft"


@pytest.mark.parametrize("api", APIS)
def test_wordpress_down_is_retryable_and_the_story_lands_once_when_it_is_back(wp, api):
    story = uid()
    publisher = WordPressPublisher(wp.settings(api=api, timeout=3), wp.password, retry=QUICK)
    wp.script("stop")
    try:
        with pytest.raises(PublishError) as raised:
            publisher.publish(submission(story))
        assert isinstance(raised.value, TryLater)
        assert wp.url in str(raised.value)
    finally:
        wp.script("start")
    first = publisher.publish(submission(story))
    second = publisher.publish(submission(story))
    assert first.post_id == second.post_id
    assert wp.posts_of_story(story) == [int(first.post_id)]


def test_a_timeout_after_wordpress_stored_the_post_does_not_make_a_second_one(wp):
    wp.install_plugin(PLUGINS / "slow-once.php")
    story = uid()
    draft = french_draft(title="Nantes : le vélo gagne du terrain [lent]")
    publisher = WordPressPublisher(wp.settings(timeout=1), wp.password, retry=QUICK)
    receipt = publisher.publish(submission(story, draft=draft))
    assert wp.posts_of_story(story) == [int(receipt.post_id)]


@pytest.mark.parametrize("api", APIS)
def test_a_publish_stalled_past_its_lease_does_not_make_a_second_post(wp, api):
    """Worker A's create stalls inside WordPress, past A's lease; worker B takes the story
    over and publishes it. A's create lands second: the mu-plugin refuses it (REST: 409;
    XML-RPC: fault 409), and A edits B's post. One post for the story."""
    wp.install_plugin(PLUGINS / "stall-create.php")
    story = uid()
    draft = french_draft(title=f"Nantes : le tramway prolongé jusqu’à Rezé [en retard] {story}")
    receipts = {}

    def worker_a() -> None:
        publisher = WordPressPublisher(
            wp.settings(timeout=20, api=api), wp.password, retry=QUICK
        )
        receipts["a"] = publisher.publish(submission(story, draft=draft))

    stalled = threading.Thread(target=worker_a)
    stalled.start()
    time.sleep(1.5)  # A's create is inside WordPress, stalled before the post is stored
    publisher = WordPressPublisher(wp.settings(api=api), wp.password, retry=QUICK)
    receipts["b"] = publisher.publish(submission(story, draft=draft))
    stalled.join(30)
    assert not stalled.is_alive()
    assert wp.posts_of_story(story) == [int(receipts["b"].post_id)]
    assert receipts["a"].post_id == receipts["b"].post_id


def test_retries_with_backoff_carry_a_story_over_a_short_outage(wp):
    story = uid()
    patient = RetryPolicy(attempts=8, base=0.2, cap=1.0, jitter=0)
    publisher = WordPressPublisher(wp.settings(timeout=3), wp.password, retry=patient)
    wp.script("stop")
    restart = threading.Timer(1.0, wp.script, args=("start",))
    restart.start()
    try:
        receipt = publisher.publish(submission(story))
    finally:
        restart.join()
        wp.script("start")
    assert wp.posts_of_story(story) == [int(receipt.post_id)]
