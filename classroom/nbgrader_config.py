"""nbgrader's settings for a minigrad class (https://nbgrader.readthedocs.io).

Each lesson is one assignment named after its file, with that one notebook in it:
``source/02_the_graph/02_the_graph.ipynb``. ``python -m classroom.grading course DIR`` makes
such a course folder with a copy of this file in it; run nbgrader's commands in DIR (nbgrader
reads ``nbgrader_config.py`` from its working directory, and the course root and its
``gradebook.db`` default to that directory). ``make learner`` and
``tests/classroom/test_grading.py`` load this same file.
"""

c = get_config()  # noqa: F821 -- traitlets defines get_config() for config files

c.CourseDirectory.course_id = "minigrad"

# The learner copy's stub. nbgrader's default raises NotImplementedError; ours does nothing, so
# an untouched copy runs to the end and each check fails with its own CheckFailed message
# (tests/course/test_learner_copies.py), which autograding shows as the feedback.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\npass"}

# No header or footer notebook: the lessons open with their own title cell, and the tools
# compare a learner copy's cells with the lesson's cells position by position.
c.IncludeHeaderFooter.header = ""
c.IncludeHeaderFooter.footer = ""

# Autograding runs the whole lesson, a cell at a time; nbgrader's default allows 30 s per cell.
# A shared class machine may be slow: 300 s, after which the cell fails with CellTimeoutError.
c.ExecutePreprocessor.timeout = 300

# Release, fetch, submit and collect go through nbgrader's exchange, a folder every learner's
# server can read and write: the default /srv/nbgrader/exchange on one hub machine (create it
# with mode 777); on Kubernetes a shared volume mounted there in every pod.
# c.Exchange.root = "/srv/nbgrader/exchange"
