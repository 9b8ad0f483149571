"""The harness's own log checks are not vacuous: a registered secret is found
raw and percent-encoded, and so is a PostgreSQL URL."""
import harness


def test_leaked_secrets_finds_every_form():
    harness.register_secret("pw/with space")
    assert harness.leaked_secrets("INFO db: user=bob pw/with space") == ["pw/with space"]
    assert harness.leaked_secrets("url=x:pw%2Fwith%20space@h") == ["pw%2Fwith%20space"]
    assert harness.leaked_secrets("q=pw%2Fwith+space") == ["pw%2Fwith+space"]
    assert harness.leaked_secrets("connecting to postgres://h/db") == ["postgres://"]
    assert harness.leaked_secrets("INFO db: connected (host=h db=d user=u)") == []


def test_every_server_runs_at_debug(tmp):
    assert tmp.env["SEEKI_LOG"] == "debug"
