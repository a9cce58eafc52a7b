#!/usr/bin/python3
"""validate.py SCHEMA [DOCUMENT] - validate a JSON document (a file, or
stdin) against a JSON Schema (draft 2020-12) with python3-jsonschema.

Prints one line per violation, "JSON.PATH: message", and exits 1 when
there is any; 2 when the schema itself is not a valid schema or a file
cannot be read as JSON; 0 when the document is valid.
"""
import json
import sys

import jsonschema


def path_of(err):
    p = ""
    for k in err.absolute_path:
        p += "[%d]" % k if isinstance(k, int) else ("." if p else "") + str(k)
    return p or "(document)"


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            schema = json.load(f)
        if len(sys.argv) == 3:
            with open(sys.argv[2]) as f:
                doc = json.load(f)
        else:
            doc = json.load(sys.stdin)
        jsonschema.Draft202012Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("validate.py: %s" % e, file=sys.stderr)
        return 2
    v = jsonschema.Draft202012Validator(schema)
    errs = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for e in errs:
        print("%s: %s" % (path_of(e), e.message))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
