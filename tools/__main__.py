"""``python -m tools execute [lessons...] | learner [--out DIR] | check``.

- ``execute``: re-run lessons in place (all by default; select by number, e.g. ``02``) and
  refresh their learner copies;
- ``learner``: write the learner copies with nbgrader's ``generate_assignment`` (solutions
  removed, outputs cleared; default ``course/learner``; see ``classroom/grading.py``);
- ``check``: list every convention a lesson breaks; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from classroom.grading import write_learner_copies

from .conventions import problems
from .notebooks import COURSE_DIR, execute, lessons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__)
    parser.add_argument("--course", type=Path, default=COURSE_DIR, help="the course directory")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="re-execute lessons in place")
    ex.add_argument("lessons", nargs="*", help="numbers or file names (default: all)")
    le = sub.add_parser("learner", help="write learner copies (solutions removed)")
    le.add_argument("--out", type=Path, default=None, help="default: <course>/learner")
    sub.add_parser("check", help="check the course conventions")
    args = parser.parse_args(argv)

    if args.command == "execute":
        done = []
        for path in lessons(args.course, args.lessons):
            start = time.perf_counter()
            execute(path)
            done.append(path.name)
            print(f"executed {path.name} in {time.perf_counter() - start:.1f} s")
        # the learner copies follow the lessons they come from
        write_learner_copies(args.course, names=done)
        return 0
    if args.command == "learner":
        for path in write_learner_copies(args.course, args.out):
            print(f"wrote {path}")
        return 0
    found = problems(args.course)
    for p in found:
        print(p)
    print(f"{len(found)} problem(s) in {len(lessons(args.course))} lessons")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
