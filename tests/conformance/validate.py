#!/usr/bin/python3
"""validate.py SCHEMA [DOCUMENT...] - validate JSON documents (files, or
stdin) against a JSON Schema (draft 2020-12) with python3-jsonschema.

Prints one line per violation, "DOCUMENT: JSON.PATH: message" (DOCUMENT
"-" for stdin), and exits 1 when there is any; 2 when the schema itself is
not a valid schema or a file cannot be read as JSON; 0 when every document
is valid.  (One run for many documents: python starts slowly in an
emulated VM.)
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate.py: no python3-jsonschema (scripts/deps.sh --test)", file=sys.stderr)
    sys.exit(2)


def path_of(err):
    p = ""
    for k in err.absolute_path:
        p += "[%d]" % k if isinstance(k, int) else ("." if p else "") + str(k)
    return p or "(document)"


def load(name):
    if name == "-":
        return json.load(sys.stdin)
    with open(name) as f:
        return json.load(f)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    names = sys.argv[2:] or ["-"]
    try:
        schema = load(sys.argv[1])
        jsonschema.Draft202012Validator.check_schema(schema)
        docs = [load(n) for n in names]
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print("validate.py: %s" % e, file=sys.stderr)
        return 2
    v = jsonschema.Draft202012Validator(schema)
    bad = False
    for name, doc in zip(names, docs):
        errs = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for e in errs:
            print("%s: %s: %s" % (name, path_of(e), e.message))
        bad = bad or bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
