"""
Small Django and SQLAlchemy applications on Debian's packages, each run with the settings dbcache
generated and with the library's defaults (the control), all at once in threads: query, idle past
the server's wait_timeout, query again, several times. Prints one JSON line: the errors each saw.

Django runs two patterns: per request (what Django does around every request: the
request_started and request_finished signals, which apply CONN_MAX_AGE) and held (a worker outside
requests that keeps its thread's connection and, as Django asks of such code, calls
close_old_connections() before each unit of work).

python3 python_app.py '{"django": "/tmp/settings.py", "sqlalchemy": "/tmp/db.py", "users": {...}, ...}'
"""
import copy
import json
import sys
import threading
import time

config = json.loads(sys.argv[1])
users = config["users"]
gaps, gap_seconds = config["gaps"], config["gapSeconds"]

namespace = {}
exec(open(config["django"]).read(), namespace)
generated = namespace["DATABASES"]["default"]


def alias(settings, user):
    return dict(copy.deepcopy(settings), USER=user)


# Django's defaults: only what says where to connect (CONN_MAX_AGE is then 0).
defaults = {key: generated[key] for key in ("ENGINE", "HOST", "PORT", "NAME", "PASSWORD")}
databases = {
    "default": alias(generated, users["django_gen"]),
    "held_gen": alias(generated, users["django_held_gen"]),
    "control": alias(defaults, users["django_ctl"]),
    # The held pattern's control keeps the connection as long as the worker lives.
    "held_ctl": alias(dict(defaults, CONN_MAX_AGE=None), users["django_held_ctl"]),
}

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(DATABASES=databases, USE_TZ=True)
django.setup()
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connections  # noqa: E402

results = {}


def query(alias_name):
    with connections[alias_name].cursor() as cursor:
        cursor.execute("SELECT SLEEP(0.3)")
        cursor.fetchone()


def per_request(alias_name):
    request_started.send(sender=None)
    try:
        query(alias_name)
    finally:
        request_finished.send(sender=None)


def held(alias_name):
    close_old_connections()
    query(alias_name)


def django_run(name, alias_name, unit):
    errors = []
    for round_number in range(gaps + 1):
        if round_number:
            time.sleep(gap_seconds)
        try:
            unit(alias_name)
        except Exception as error:  # the application's view: any failure of a unit of work
            errors.append(f"{type(error).__name__}: {error}")
    connections[alias_name].close()
    results[name] = {"errors": errors}


def sqlalchemy_run(name, make_engine):
    from sqlalchemy import text

    errors = []
    engine = make_engine()
    workers = config["concurrency"]

    def burst():
        def one():
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT SLEEP(0.3)")).fetchall()
            except Exception as error:
                errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

        threads = [threading.Thread(target=one) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    burst()
    for _ in range(gaps):
        time.sleep(gap_seconds)
        burst()
    engine.dispose()
    results[name] = {"errors": errors}


def generated_engine():
    space = {}
    exec(open(config["sqlalchemy"]).read(), space)
    return space["engine"]


def control_engine():
    space = {}
    exec(open(config["sqlalchemy"]).read(), space)
    space["engine"].dispose()
    from sqlalchemy import create_engine

    return create_engine(space["url"].set(username=users["sqlalchemy_ctl"]))


runs = [
    threading.Thread(target=django_run, args=("django_gen", "default", per_request)),
    threading.Thread(target=django_run, args=("django_ctl", "control", per_request)),
    threading.Thread(target=django_run, args=("django_held_gen", "held_gen", held)),
    threading.Thread(target=django_run, args=("django_held_ctl", "held_ctl", held)),
    threading.Thread(target=sqlalchemy_run, args=("sqlalchemy_gen", generated_engine)),
    threading.Thread(target=sqlalchemy_run, args=("sqlalchemy_ctl", control_engine)),
]
for run in runs:
    run.start()
for run in runs:
    run.join()
results["versions"] = {"django": django.get_version(), "sqlalchemy": __import__("sqlalchemy").__version__}
print(json.dumps(results))
