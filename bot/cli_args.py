"""argparse that speaks Vietnamese: headings, ``-h``, and one-sentence errors with a hint.

argparse's own words (``usage:``, ``show this help message and exit``, ``invalid int
value``) are English and reach operators as they are; here every heading is set, ``-h``
is added with a Vietnamese help line, and an error is translated into one sentence
followed by where to read the help. Value checks (``days``) raise their own sentence.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

from messages.texts import cli as texts


class VietnameseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, prefix if prefix is not None else texts.USAGE_PREFIX)


# argparse's messages (Python 3.11–3.13) → ours; the first that matches wins
_ERRORS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.S), t) for p, t in (
    (r"^the following arguments are required: (?P<names>.+)$", texts.ERR_REQUIRED),
    (r"^unrecognized arguments: (?P<names>.+)$", texts.ERR_UNRECOGNIZED),
    (r"^argument (?P<name>[^:]+): invalid choice: '?(?P<value>[^' ]*)'? \(choose from (?P<choices>.+)\)$",
     texts.ERR_CHOICE),
    (r"^argument (?P<name>[^:]+): invalid \w+ value: '?(?P<value>.*?)'?$", texts.ERR_INVALID),
    (r"^argument (?P<name>[^:]+): expected (?:one|at least one|at most one|\d+) arguments?$", texts.ERR_EXPECTED),
    (r"^argument (?P<name>[^:]+): ignored explicit argument .*$", texts.ERR_FLAG_VALUE),
    (r"^ambiguous option: (?P<name>\S+) could match .*$", texts.ERR_AMBIGUOUS),
    (r"^argument (?P<name>[^:]+): (?P<message>.+)$", texts.ERR_ARGUMENT),
))


def translate(message: str) -> str:
    """One Vietnamese sentence for an argparse error message."""
    for pattern, text in _ERRORS:
        m = pattern.match(message.strip())
        if m:
            fields = {k: (v or "").strip() for k, v in m.groupdict().items()}
            if "choices" in fields:
                fields["choices"] = fields["choices"].replace("'", "")
            if "name" in fields:
                fields["name"] = fields["name"].replace("/", ", ")
            return text.format(**fields)
    return texts.ERR_OTHER.format(message=message)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and errors are Vietnamese (sub-parsers inherit it)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = texts.HEADING_POSITIONALS
        self._optionals.title = texts.HEADING_OPTIONS
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=texts.HELP_HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(translate(message), file=sys.stderr)
        print(texts.ERR_HINT.format(prog=self.prog), file=sys.stderr)
        raise SystemExit(2)


def bounded_int(low: int, high: int):
    """An argparse type: a whole number in ``low..high``, refused in one sentence otherwise."""
    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(texts.ERR_NOT_WHOLE.format(value=value)) from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(texts.ERR_RANGE.format(value=number, low=low, high=high))
        return number
    return parse
