"""pytest --nbval on course/: validate the lessons, not the learner copies.

The copies in ``learner/`` have their solutions removed (they raise NotImplementedError by
design); ``tests/course/test_conventions.py`` checks that they are current instead.
"""

collect_ignore = ["learner"]


def pytest_configure(config):
    # Error cells carry both the raises-exception tag and # NBVAL_RAISES_EXCEPTION on purpose
    # (the course's convention); nbval warns about the overlap on every such cell.
    config.addinivalue_line(
        "filterwarnings", "ignore:Overlapping options from comments and metadata:UserWarning"
    )
