"""A learner's server: ``jupyterhub.singleuser`` without one import that costs seconds.

jsonschema (through jupyter_events, which every Jupyter server imports) loads
``rfc3987_syntax`` if it is installed, and that module compiles about 35 Lark parsers when it
is imported: about 2 s of CPU in every server start, for the ``iri`` format, which no Jupyter
schema uses (jupyter-server/jupyter_server#1559, python-jsonschema/jsonschema#1428). Marking it
missing makes jsonschema skip that format, as on a machine without the package. With 20 learners
starting at once on 2 cores, that is 40 s of CPU the class does not wait for.

    python -m classroom.singleuser [options of jupyterhub-singleuser]
"""

import sys

# None in sys.modules: `import rfc3987_syntax` raises ImportError, which jsonschema expects.
sys.modules.setdefault("rfc3987_syntax", None)

from jupyterhub.singleuser import main  # noqa: E402 (must come after the line above)

if __name__ == "__main__":
    main()
