"""Password guessing from many addresses: a user name guessed wrongly too often from any
addresses is locked for the cool-off, even with the right password, and the lock-out page
says when to try again; one address alone cannot lock a person out."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
LONDON = ZoneInfo("Europe/London")
GUESSING_STARTS = datetime(2026, 11, 18, 10, 30, tzinfo=LONDON)


def sign_in(client, password, address):
    return client.post(
        reverse("login"), {"username": "anne", "password": password}, REMOTE_ADDR=address
    )


def guess(client, times: int, addresses: int) -> list[int]:
    """Wrong passwords for "anne", spread evenly over the addresses, a second apart."""
    statuses = []
    for number in range(times):
        with time_machine.travel(GUESSING_STARTS + timedelta(seconds=number), tick=False):
            statuses.append(sign_in(client, "wrong", f"203.0.113.{number % addresses + 1}"))
    return [response.status_code for response in statuses]


def test_guesses_from_thirty_addresses_lock_the_user_name_until_the_cool_off(client, db):
    UserFactory(username="anne")
    statuses = guess(client, 120, addresses=30)  # four from each: under the per-address limit
    assert 429 in statuses

    with time_machine.travel(GUESSING_STARTS + timedelta(minutes=5), tick=False):
        for address in ("203.0.113.1", "198.51.100.7"):  # a guessing address, and a new one
            refused = sign_in(client, PASSWORD, address)
            assert refused.status_code == 429
            assert "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "Too many attempts to sign in" in page
    # An hour after the guesses that reached the limit (10:30:20 to 10:30:49), to the minute.
    assert "You can try again from 11:31am on 18 November 2026" in page

    with time_machine.travel(datetime(2026, 11, 18, 11, 29, tzinfo=LONDON), tick=False):
        assert sign_in(client, PASSWORD, "198.51.100.7").status_code == 429
    with time_machine.travel(datetime(2026, 11, 18, 11, 31, tzinfo=LONDON), tick=False):
        signed_in = sign_in(client, PASSWORD, "198.51.100.7")
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session


def test_one_address_guessing_on_cannot_lock_the_person_out_elsewhere(client, db):
    UserFactory(username="anne")
    statuses = guess(client, 120, addresses=1)
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
    with time_machine.travel(GUESSING_STARTS + timedelta(minutes=5), tick=False):
        locked = sign_in(client, PASSWORD, "203.0.113.1")
        assert locked.status_code == 429
        assert "You can try again from 11:31am on 18 November 2026" in locked.content.decode()
        assert sign_in(client, PASSWORD, "198.51.100.7").status_code == 302
