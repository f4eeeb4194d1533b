"""``python -m bot replicas``: the nginx configuration it generates and the stores it accepts (issue 18)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.replicas import NGINX, Replica, ReplicasError, check_stores, nginx_config

REPLICAS = [Replica(0, 5006, 5056), Replica(1, 5007, 5057)]


def test_nginx_spreads_over_both_replicas_and_retries_only_what_was_not_sent(tmp_path):
    conf = nginx_config(tmp_path, 5005, REPLICAS)
    assert "listen 127.0.0.1:5005;" in conf
    assert "server 127.0.0.1:5006 max_fails=1 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:5007 max_fails=1 fail_timeout=5s;" in conf
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
    assert "non_idempotent" not in conf.replace("(no non_idempotent)", "")  # a POST that arrived is never replayed
    assert "daemon" not in conf  # foreground: given on the command line
    assert "$request_uri" not in conf and "$uri" not in conf  # one-time tokens stay out of the log
    assert str(tmp_path) in conf and "/etc/" not in conf


def test_a_replica_taken_out_for_a_restart_is_marked_down(tmp_path):
    conf = nginx_config(tmp_path, 5005, REPLICAS, down=1)
    assert "server 127.0.0.1:5006 max_fails=1 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:5007 max_fails=1 fail_timeout=5s down;" in conf


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (make nginx)")
def test_nginx_accepts_the_generated_configuration(tmp_path):
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / sub).mkdir(parents=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, 5005, REPLICAS, down=0), encoding="utf-8")
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "env, refused",
    [
        ({}, "ASSISTANT_DATABASE_URL"),
        ({"ASSISTANT_DATABASE_URL": "sqlite:///var/a.db"}, "ASSISTANT_DATABASE_URL"),
        ({"ASSISTANT_DATABASE_URL": "postgresql+psycopg2://h/a"}, "ASSISTANT_TRACKER_DATABASE_URL"),
        (
            {
                "ASSISTANT_DATABASE_URL": "postgresql+psycopg2://h/a",
                "ASSISTANT_TRACKER_DATABASE_URL": "postgresql://h/a",
            },
            "ASSISTANT_LOCK_STORE_URL",
        ),
    ],
)
def test_stores_two_replicas_cannot_share_are_refused(env, refused):
    with pytest.raises(ReplicasError, match=refused):
        check_stores(env)


def test_shared_stores_are_accepted():
    check_stores(
        {
            "ASSISTANT_DATABASE_URL": "postgresql+psycopg2://h/a",
            "ASSISTANT_TRACKER_DATABASE_URL": "postgresql+psycopg2://h/a",
            "ASSISTANT_LOCK_STORE_URL": "redis://127.0.0.1:6379/1",
        }
    )
