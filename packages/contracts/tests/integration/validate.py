"""Validates JSON lines {"schema": <path>, "value": ...} from stdin with Python's jsonschema
(draft 2020-12, as the README shows) and prints one line per input: "valid" or the first error."""
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker

validators = {}
for line in sys.stdin:
    example = json.loads(line)
    path = example["schema"]
    if path not in validators:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        validators[path] = Draft202012Validator(schema, format_checker=FormatChecker())
    error = next(validators[path].iter_errors(example["value"]), None)
    print("valid" if error is None else "invalid: " + error.message.replace("\n", " ")[:200])
